import { Rng } from './seed.random';
import type {
  Category,
  InventoryRecord,
  Order,
  OrderHistoryEntry,
  OrderItem,
  OrderStatus,
  Product,
  Review,
  SeedData,
  User,
} from './seed.types';
import {
  CATEGORIES,
  COUNTRIES,
  CountryInfo,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  INTERNAL_NOTES,
  LAST_NAMES,
  REVIEW_SENTENCES,
  REVIEW_TITLES,
  WAREHOUSES,
} from './seed.words';

export const SEED = 20250601;
export const USER_COUNT = 60;
export const PRODUCT_COUNT = 300;
export const ORDER_COUNT = 500;
export const FEATURED_COUNT = 20;

/** The data is anchored to a fixed "now" so every run produces identical timestamps. */
export const SEED_NOW = Date.parse('2025-06-01T12:00:00.000Z');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CDN = 'https://cdn.example.com';

const iso = (ms: number): string => new Date(ms).toISOString();
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const toCents = (amount: number): number => Math.round(amount * 100);
const ascii = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/** Each entity type draws from its own stream, so changing one generator leaves the others intact. */
const stream = (seed: number, salt: number): Rng =>
  new Rng((seed ^ Math.imul(salt, 0x9e3779b1)) >>> 0);

interface UserExtra {
  countryInfo: CountryInfo;
  address: { line1: string; city: string; postalCode: string };
}

function addressFor(rng: Rng, country: CountryInfo): UserExtra['address'] {
  const digits = (n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');
  const letters = (n: number): string =>
    Array.from({ length: n }, () => String.fromCharCode(65 + rng.int(0, 25))).join('');
  const street = rng.pick(country.streets);
  const number = rng.int(1, 180);
  return {
    line1: country.numberFirst ? `${number} ${street}` : `${street} ${number}`,
    city: rng.pick(country.cities),
    postalCode: country.postalCode(digits, letters),
  };
}

function generateUsers(rng: Rng): { users: User[]; extras: UserExtra[] } {
  const created = Array.from({ length: USER_COUNT }, () =>
    rng.between(Date.parse('2019-03-01T00:00:00Z'), Date.parse('2025-03-31T00:00:00Z')),
  ).sort((a, b) => a - b);
  const emails = new Set<string>();
  const users: User[] = [];
  const extras: UserExtra[] = [];
  for (let i = 0; i < USER_COUNT; i++) {
    const id = `usr_${pad(i + 1, 4)}`;
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const countryInfo = rng.pick(COUNTRIES);
    const domain = rng.pick(EMAIL_DOMAINS);
    const local = `${ascii(firstName)}.${ascii(lastName)}`;
    let email = `${local}@${domain}`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@${domain}`;
    emails.add(email);
    const suspended = rng.chance(0.1);
    const createdAt = created[i];
    users.push({
      id,
      email,
      firstName,
      lastName,
      displayName: `${firstName} ${lastName[0].toUpperCase()}.`,
      avatarUrl: `${CDN}/avatars/${id}.jpg`,
      tier: rng.chance(0.25) ? 'premium' : 'standard',
      country: countryInfo.code,
      createdAt: iso(createdAt),
      lastLoginAt: iso(rng.between(Math.max(createdAt, SEED_NOW - 120 * DAY), SEED_NOW)),
      status: suspended ? 'suspended' : 'active',
      marketingOptIn: rng.chance(0.55),
      internalNotes: rng.pick(INTERNAL_NOTES),
      riskScore: suspended ? rng.int(55, 98) : rng.int(0, 45),
    });
    extras.push({ countryInfo, address: addressFor(rng, countryInfo) });
  }
  return { users, extras };
}

function generateProducts(rng: Rng): Product[] {
  const weights = [1.3, 1.1, 1, 1.2, 0.9, 0.8, 0.8, 0.9];
  const categoryWeights = CATEGORIES.map((c, i) => [c, weights[i]] as const);
  const names = new Set<string>();
  const products: Product[] = [];
  for (let i = 0; i < PRODUCT_COUNT; i++) {
    const id = `prd_${pad(i + 1, 4)}`;
    const category = rng.weighted(categoryWeights);
    const brand = rng.pick(category.brands);
    let name = '';
    for (let attempt = 0; attempt < 50 && (name === '' || names.has(name)); attempt++) {
      const title = `${rng.pick(category.series)} ${rng.pick(category.nouns)}`;
      name = category.titleOnly ? title : `${brand} ${title}`;
    }
    if (names.has(name)) name = `${name} (${i + 1})`;
    names.add(name);

    const [min, max] = category.price;
    // Squared draw: most products are cheap, a few are expensive.
    const euros = Math.floor(min + (max - min) * rng.float() ** 2);
    const amount = (euros * 100 + rng.pick([99, 95, 49, 0])) / 100;
    const portrait = category.id === 'fashion';
    const views = ['front view', 'side view', 'detail', 'in use'];
    const images = Array.from({ length: rng.int(2, 4) }, (_, k) => ({
      url: `${CDN}/products/${id}/${k + 1}.jpg`,
      alt: `${name}, ${views[k]}`,
      width: 1200,
      height: portrait ? 1600 : rng.pick([1200, 900]),
    }));
    const attributes: Record<string, string> = {};
    for (const [key, values] of Object.entries(category.attributes))
      attributes[key] = rng.pick(values);
    const createdAt = rng.between(Date.parse('2021-01-01T00:00:00Z'), SEED_NOW - 30 * DAY);
    products.push({
      id,
      sku: `${category.code}-${ascii(brand).slice(0, 3).toUpperCase()}-${pad(i + 1, 4)}${String.fromCharCode(65 + rng.int(0, 25))}`,
      name,
      description: rng.sample(category.sentences, rng.int(1, 3)).join(' '),
      category: category.id,
      brand,
      price: { amount, currency: 'EUR' },
      images,
      thumbnailUrl: `${CDN}/products/${id}/thumb-400.jpg`,
      featured: false,
      tags: rng.sample(category.tags, rng.int(2, 4)),
      attributes,
      createdAt: iso(createdAt),
      updatedAt: iso(rng.between(createdAt, SEED_NOW)),
      costPrice: Math.round(amount * (35 + rng.float() * 30)) / 100,
      supplierId: `sup_${pad(rng.int(1, 24), 3)}`,
    });
  }
  for (const product of rng.sample(products, FEATURED_COUNT)) product.featured = true;
  return products;
}

function generateInventory(rng: Rng, products: readonly Product[]): InventoryRecord[] {
  return products.map((product) => {
    const available = rng.chance(0.12) ? 0 : rng.chance(0.2) ? rng.int(1, 9) : rng.int(10, 250);
    const reserved =
      available === 0 ? rng.int(0, 3) : rng.int(0, Math.min(25, Math.ceil(available / 4)));
    const stock = available + reserved;
    const sites = rng.sample(WAREHOUSES, stock === 0 ? 1 : rng.int(1, 3));
    const cuts = sites
      .slice(1)
      .map(() => rng.int(0, stock))
      .sort((a, b) => a - b);
    const bounds = [0, ...cuts, stock];
    const warehouses = sites.map((w, k) => ({
      id: w.id,
      name: w.name,
      quantity: bounds[k + 1] - bounds[k],
    }));
    const restocking = available === 0 ? rng.chance(0.85) : available < 10 && rng.chance(0.5);
    return {
      productId: product.id,
      available,
      reserved,
      warehouses,
      restockDate: restocking
        ? iso(Date.parse('2025-06-01T00:00:00Z') + rng.int(2, 30) * DAY)
        : null,
      updatedAt: iso(rng.between(SEED_NOW - 7 * DAY, SEED_NOW)),
    };
  });
}

function generateReviews(rng: Rng, products: readonly Product[], users: readonly User[]): Review[] {
  const reviews: Omit<Review, 'id'>[] = [];
  const low = [15, 15, 25, 25, 20];
  const high = [2, 3, 8, 30, 57];
  for (const product of products) {
    const count = rng.chance(0.1) ? 0 : rng.int(1, 40);
    const quality = rng.float();
    const weights = low.map(
      (w, k) => [(k + 1) as Review['rating'], w + (high[k] - w) * quality] as const,
    );
    for (const user of rng.sample(users, count)) {
      const rating = rng.weighted(weights);
      const from = Math.max(Date.parse(product.createdAt), Date.parse(user.createdAt)) + DAY;
      reviews.push({
        productId: product.id,
        userId: user.id,
        rating,
        title: rng.pick(REVIEW_TITLES[rating]),
        body: rng.sample(REVIEW_SENTENCES[rating], rng.int(1, 3)).join(' '),
        createdAt: iso(rng.between(from, SEED_NOW)),
        helpfulVotes: Math.floor(rng.float() ** 3 * 150),
      });
    }
  }
  reviews.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return reviews.map((r, i) => ({ id: `rev_${pad(i + 1, 5)}`, ...r }));
}

const STATUS_WEIGHTS: readonly (readonly [OrderStatus, number])[] = [
  ['pending', 14],
  ['paid', 16],
  ['shipped', 18],
  ['delivered', 38],
  ['cancelled', 14],
];

function generateOrders(
  rng: Rng,
  users: readonly User[],
  extras: readonly UserExtra[],
  products: readonly Product[],
): Order[] {
  const userWeights = users.map(
    (u, i) => [i, u.status === 'suspended' ? 0.3 : 0.4 + rng.float() * 2.6] as const,
  );
  const orders: Omit<Order, 'id'>[] = [];
  for (let n = 0; n < ORDER_COUNT; n++) {
    const userIndex = rng.weighted(userWeights);
    const user = users[userIndex];
    const { countryInfo, address: home } = extras[userIndex];
    const status = rng.weighted(STATUS_WEIGHTS);
    const joined = Date.parse(user.createdAt) + DAY;
    // Open orders are recent; finished ones spread over the user's lifetime.
    const window: Record<OrderStatus, readonly [number, number]> = {
      pending: [SEED_NOW - 3 * DAY, SEED_NOW - HOUR],
      paid: [SEED_NOW - 7 * DAY, SEED_NOW - DAY],
      shipped: [SEED_NOW - 12 * DAY, SEED_NOW - 2 * DAY],
      delivered: [Math.max(joined, Date.parse('2023-09-01T00:00:00Z')), SEED_NOW - 8 * DAY],
      cancelled: [Math.max(joined, Date.parse('2023-09-01T00:00:00Z')), SEED_NOW - DAY],
    };
    const createdAt = rng.between(...window[status]);

    // Each step happens after the previous one and never reaches SEED_NOW.
    let at = createdAt;
    const step = (minMs: number, maxMs: number): string => {
      at = Math.min(at + rng.int(minMs, maxMs), at + Math.floor((SEED_NOW - at) / 2));
      return iso(at);
    };
    const history: OrderHistoryEntry[] = [{ status: 'pending', at: iso(createdAt), by: user.id }];
    if (status === 'cancelled') {
      const afterPayment = rng.chance(0.4);
      if (afterPayment)
        history.push({ status: 'paid', at: step(2 * 60_000, 30 * 60_000), by: 'system' });
      const byCustomer = rng.chance(0.6);
      history.push({
        status: 'cancelled',
        at: step(10 * 60_000, 2 * DAY),
        by: byCustomer ? user.id : 'system',
        reason: byCustomer
          ? 'Cancelled by customer'
          : afterPayment
            ? 'Failed fraud check'
            : 'Payment timed out',
      });
    } else if (status !== 'pending') {
      history.push({ status: 'paid', at: step(2 * 60_000, 30 * 60_000), by: 'system' });
      if (status === 'shipped' || status === 'delivered') {
        history.push({ status: 'shipped', at: step(6 * HOUR, 3 * DAY), by: 'system' });
      }
      if (status === 'delivered')
        history.push({ status: 'delivered', at: step(DAY, 5 * DAY), by: 'system' });
    }

    const itemCount = rng.weighted([
      [1, 40],
      [2, 30],
      [3, 15],
      [4, 10],
      [5, 5],
    ] as const);
    const items: OrderItem[] = rng.sample(products, itemCount).map((p) => ({
      productId: p.id,
      quantity: rng.weighted([
        [1, 75],
        [2, 18],
        [3, 7],
      ] as const),
      unitPrice: { amount: p.price.amount, currency: 'EUR' },
    }));
    const totalCents = items.reduce(
      (sum, item) => sum + item.quantity * toCents(item.unitPrice.amount),
      0,
    );
    const address = rng.chance(0.2) ? addressFor(rng, countryInfo) : home;
    orders.push({
      userId: user.id,
      status,
      items,
      total: { amount: totalCents / 100, currency: 'EUR' },
      shippingAddress: {
        name: `${user.firstName} ${user.lastName}`,
        ...address,
        country: countryInfo.code,
      },
      createdAt: iso(createdAt),
      updatedAt: history[history.length - 1].at,
      paymentRef: `pi_${rng.alphanumeric(24)}`,
      fraudScore: Math.round(rng.float() ** 3 * (user.status === 'suspended' ? 1000 : 600)) / 10,
      history,
    });
  }
  orders.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return orders.map((o, i) => ({ id: `ord_${pad(i + 1, 5)}`, ...o }));
}

/** Builds the whole data set from `seed`; the same seed always gives identical data. */
export function generateSeedData(seed: number = SEED): SeedData {
  const { users, extras } = generateUsers(stream(seed, 1));
  const products = generateProducts(stream(seed, 2));
  const categories: Category[] = CATEGORIES.map((c) => ({
    id: c.id,
    name: c.name,
    productCount: products.filter((p) => p.category === c.id).length,
  }));
  return {
    users,
    products,
    categories,
    inventory: generateInventory(stream(seed, 3), products),
    reviews: generateReviews(stream(seed, 4), products, users),
    orders: generateOrders(stream(seed, 5), users, extras, products),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

let shared: SeedData | undefined;

/**
 * The default data set, generated once per process and frozen: every sandbox shares it read-only
 * (the orders service keeps its own mutable copy).
 */
export function getSeedData(): SeedData {
  shared ??= deepFreeze(generateSeedData());
  return shared;
}
