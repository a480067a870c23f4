import { Sandbox, startSandbox } from '../sandbox';
import { getSeedData } from '../seed.data';
import type { Review } from '../seed.types';
import { ReviewSummary, summarize } from './reviews.service';

interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

describe('reviews service', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterAll(() => sandbox.close());
  const data = getSeedData();

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sandbox.urls.reviews}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  }

  it('summarises ratings with one decimal', () => {
    expect(summarize('p', [])).toEqual({
      productId: 'p',
      averageRating: 0,
      count: 0,
      distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    });
    const reviews = [5, 4, 4].map((rating) => ({ rating }) as Review);
    expect(summarize('p', reviews)).toMatchObject({
      averageRating: 4.3,
      count: 3,
      distribution: { '4': 2, '5': 1 },
    });
  });

  it('serves several summaries in one call, leaving out unknown ids; productIds is required', async () => {
    const [a, b] = data.products;
    const { status, body } = await get<{ items: ReviewSummary[] }>(
      `/reviews/summaries?productIds=${a.id},prd_none,${b.id}`,
    );
    expect(status).toBe(200);
    expect(body.items.map((s) => s.productId)).toEqual([a.id, b.id]);
    expect((await get('/reviews/summaries')).status).toBe(400);
  });

  it('serves the summary of a product, 404 for an unknown one', async () => {
    const reviewed = data.products.find((p) => data.reviews.some((r) => r.productId === p.id));
    const silent = data.products.find((p) => !data.reviews.some((r) => r.productId === p.id));
    const { body } = await get<ReviewSummary>(`/reviews/summary/${reviewed?.id}`);
    const count = data.reviews.filter((r) => r.productId === reviewed?.id).length;
    expect(body.count).toBe(count);
    expect(Object.values(body.distribution).reduce((a, b) => a + b, 0)).toBe(count);
    expect(body.averageRating).toBeGreaterThanOrEqual(1);
    expect(body.averageRating).toBeLessThanOrEqual(5);
    expect((await get<ReviewSummary>(`/reviews/summary/${silent?.id}`)).body).toMatchObject({
      count: 0,
      averageRating: 0,
    });
    expect((await get('/reviews/summary/prd_9999')).status).toBe(404);
  });

  it('lists reviews newest first, optionally per product', async () => {
    const all = await get<Page<Review>>('/reviews?pageSize=50');
    expect(all.body.total).toBe(data.reviews.length);
    for (let i = 1; i < all.body.items.length; i++) {
      expect(all.body.items[i - 1].createdAt >= all.body.items[i].createdAt).toBe(true);
    }
    const productId = all.body.items[0].productId;
    const mine = await get<Page<Review>>(`/reviews?productId=${productId}&pageSize=5&page=1`);
    expect(mine.body.total).toBe(data.reviews.filter((r) => r.productId === productId).length);
    expect(mine.body.items.every((r) => r.productId === productId)).toBe(true);
    expect((await get<Page<Review>>('/reviews?productId=prd_9999')).body.total).toBe(0);
    expect((await get('/reviews?pageSize=1000')).status).toBe(400);
  });
});
