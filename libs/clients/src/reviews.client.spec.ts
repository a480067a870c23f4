import { ReviewsClient } from './reviews.client';
import { mockDownstream } from './clients.test-doubles';

describe('ReviewsClient', () => {
  it('GETs the summary of one product, passing signal and headers through', async () => {
    const signal = new AbortController().signal;
    const headers = { 'x-test': '1' };
    const { downstream, get } = mockDownstream({ productId: 'p1', count: 2 });
    await expect(new ReviewsClient(downstream).summary('p1', { signal, headers })).resolves.toEqual(
      {
        productId: 'p1',
        count: 2,
      },
    );
    expect(get).toHaveBeenCalledWith('reviews', '/reviews/summary/p1', { signal, headers });
  });

  it('GETs several summaries in one call (the batch endpoint)', async () => {
    const { downstream, get } = mockDownstream({ items: [] });
    await new ReviewsClient(downstream).summaries(['p1', 'p2']);
    expect(get).toHaveBeenCalledWith('reviews', '/reviews/summaries', {
      query: { productIds: ['p1', 'p2'] },
    });
  });
});
