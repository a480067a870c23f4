import { canTransition } from './services/orders.rules';
import { FEATURED_COUNT, SEED_NOW, generateSeedData, getSeedData } from './seed.data';
import { mulberry32 } from './seed.random';
import { ORDER_STATUSES } from './seed.types';

describe('seed data', () => {
  const data = generateSeedData();

  it('is deterministic: same seed, same data', () => {
    expect(JSON.stringify(generateSeedData())).toBe(JSON.stringify(data));
    expect(getSeedData()).toEqual(data);
    expect(getSeedData()).toBe(getSeedData());
    expect(Object.isFrozen(getSeedData().orders[0].history)).toBe(true);
  });

  it('changes with the seed, and the PRNG is stable', () => {
    expect(generateSeedData(42).users[0]).not.toEqual(data.users[0]);
    const a = mulberry32(1);
    const b = mulberry32(1);
    const values = Array.from({ length: 5 }, () => a());
    expect(values).toEqual(Array.from({ length: 5 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('has 60 realistic users', () => {
    expect(data.users).toHaveLength(60);
    expect(data.users[0].id).toBe('usr_0001');
    expect(data.users[59].id).toBe('usr_0060');
    expect(new Set(data.users.map((u) => u.email)).size).toBe(60);
    for (const u of data.users) {
      expect(u.email).toMatch(/^[a-z.]+\d*@[a-z.]+$/);
      expect(u.country).toMatch(/^[A-Z]{2}$/);
      expect(['standard', 'premium']).toContain(u.tier);
      expect(['active', 'suspended']).toContain(u.status);
      expect(u.riskScore).toBeGreaterThanOrEqual(0);
      expect(u.riskScore).toBeLessThanOrEqual(100);
      expect(Date.parse(u.lastLoginAt)).toBeGreaterThanOrEqual(Date.parse(u.createdAt));
      expect(u.displayName.startsWith(u.firstName)).toBe(true);
    }
    expect(data.users.some((u) => u.status === 'suspended')).toBe(true);
    expect(data.users.some((u) => u.tier === 'premium')).toBe(true);
  });

  it('has 300 products in 8 categories', () => {
    expect(data.products).toHaveLength(300);
    expect(data.categories).toHaveLength(8);
    expect(data.categories.reduce((s, c) => s + c.productCount, 0)).toBe(300);
    const categoryIds = new Set(data.categories.map((c) => c.id));
    expect(new Set(data.products.map((p) => p.sku)).size).toBe(300);
    expect(new Set(data.products.map((p) => p.name)).size).toBe(300);
    for (const p of data.products) {
      expect(p.id).toMatch(/^prd_\d{4}$/);
      expect(categoryIds.has(p.category)).toBe(true);
      expect(p.price.currency).toBe('EUR');
      expect(Math.round(p.price.amount * 100) / 100).toBe(p.price.amount);
      expect(p.price.amount).toBeGreaterThan(0);
      expect(p.costPrice).toBeLessThan(p.price.amount);
      expect(p.images.length).toBeGreaterThanOrEqual(2);
      expect(p.images.length).toBeLessThanOrEqual(4);
      const sentences = p.description.split(/(?<=\.)\s/).length;
      expect(sentences).toBeGreaterThanOrEqual(1);
      expect(sentences).toBeLessThanOrEqual(3);
      expect(Object.keys(p.attributes).length).toBeGreaterThan(0);
    }
    expect(data.products.filter((p) => p.featured)).toHaveLength(FEATURED_COUNT);
  });

  it('has one consistent inventory record per product, some out of stock', () => {
    expect(data.inventory.map((i) => i.productId)).toEqual(data.products.map((p) => p.id));
    for (const i of data.inventory) {
      expect(i.warehouses.reduce((s, w) => s + w.quantity, 0)).toBe(i.available + i.reserved);
      if (i.restockDate !== null)
        expect(Date.parse(i.restockDate)).toBeGreaterThan(SEED_NOW - 86_400_000);
    }
    expect(data.inventory.filter((i) => i.available === 0).length).toBeGreaterThan(5);
  });

  it('has 0-40 reviews per product, all pointing to real users and products', () => {
    const users = new Set(data.users.map((u) => u.id));
    const perProduct = new Map(data.products.map((p) => [p.id, 0]));
    for (const r of data.reviews) {
      expect(users.has(r.userId)).toBe(true);
      expect(perProduct.has(r.productId)).toBe(true);
      perProduct.set(r.productId, (perProduct.get(r.productId) ?? 0) + 1);
      expect([1, 2, 3, 4, 5]).toContain(r.rating);
      expect(Date.parse(r.createdAt)).toBeLessThanOrEqual(SEED_NOW);
    }
    expect(new Set(data.reviews.map((r) => r.id)).size).toBe(data.reviews.length);
    expect(data.reviews[0].id).toBe('rev_00001');
    const counts = [...perProduct.values()];
    expect(Math.max(...counts)).toBeLessThanOrEqual(40);
    expect(counts.some((c) => c === 0)).toBe(true);
  });

  it('has 500 consistent orders with every status well represented', () => {
    const users = new Set(data.users.map((u) => u.id));
    const prices = new Map(data.products.map((p) => [p.id, p.price.amount]));
    expect(data.orders).toHaveLength(500);
    expect(data.orders[0].id).toBe('ord_00001');
    for (const status of ORDER_STATUSES) {
      expect(data.orders.filter((o) => o.status === status).length).toBeGreaterThanOrEqual(40);
    }
    for (const o of data.orders) {
      expect(users.has(o.userId)).toBe(true);
      expect(o.items.length).toBeGreaterThanOrEqual(1);
      expect(o.items.length).toBeLessThanOrEqual(5);
      let cents = 0;
      for (const item of o.items) {
        expect(prices.get(item.productId)).toBe(item.unitPrice.amount);
        cents += item.quantity * Math.round(item.unitPrice.amount * 100);
      }
      expect(o.total).toEqual({ amount: cents / 100, currency: 'EUR' });
      expect(o.history[0]).toMatchObject({ status: 'pending', at: o.createdAt });
      expect(o.history[o.history.length - 1].status).toBe(o.status);
      expect(o.updatedAt).toBe(o.history[o.history.length - 1].at);
      for (let k = 1; k < o.history.length; k++) {
        expect(canTransition(o.history[k - 1].status, o.history[k].status)).toBe(true);
        expect(o.history[k].at > o.history[k - 1].at).toBe(true);
      }
      expect(Date.parse(o.updatedAt)).toBeLessThan(SEED_NOW);
      expect(o.shippingAddress.country).toBe(data.users.find((u) => u.id === o.userId)?.country);
    }
    // Spread over users: most users have orders.
    expect(new Set(data.orders.map((o) => o.userId)).size).toBeGreaterThan(45);
  });
});
