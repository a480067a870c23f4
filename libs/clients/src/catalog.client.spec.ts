import { CatalogClient } from './catalog.client';
import { mockDownstream } from './clients.test-doubles';

describe('CatalogClient', () => {
  const signal = new AbortController().signal;
  const headers = { 'x-test': '1' };

  it('GETs one product with its id encoded, passing signal and headers through', async () => {
    const { downstream, get } = mockDownstream({ id: 'a/b' });
    await expect(
      new CatalogClient(downstream).product('a/b', { signal, headers }),
    ).resolves.toEqual({ id: 'a/b' });
    expect(get).toHaveBeenCalledWith('catalog', '/products/a%2Fb', { signal, headers });
  });

  it('GETs related products with the limit as query', async () => {
    const { downstream, get } = mockDownstream({ items: [] });
    await new CatalogClient(downstream).related('prd_1', 4, { signal });
    expect(get).toHaveBeenCalledWith('catalog', '/products/prd_1/related', {
      signal,
      query: { limit: 4 },
    });
  });

  it('GETs a page with only the given filters, and no signal when none is given', async () => {
    const { downstream, get } = mockDownstream({ items: [] });
    await new CatalogClient(downstream).page({ featured: true, pageSize: 12 });
    expect(get).toHaveBeenCalledWith('catalog', '/products', {
      query: {
        ids: undefined,
        featured: true,
        page: undefined,
        pageSize: 12,
        category: undefined,
      },
    });
  });

  it('looks products up by ids in one page, and skips the call for none', async () => {
    const { downstream, get } = mockDownstream({ items: [{ id: 'p1' }] });
    const catalog = new CatalogClient(downstream);
    await expect(catalog.byIds([], { signal })).resolves.toEqual([]);
    expect(get).not.toHaveBeenCalled();
    await expect(catalog.byIds(['p1', 'p2'], { signal })).resolves.toEqual([{ id: 'p1' }]);
    expect(get).toHaveBeenCalledWith('catalog', '/products', {
      signal,
      query: expect.objectContaining({ ids: ['p1', 'p2'], pageSize: 100 }),
    });
  });

  it('GETs the categories', async () => {
    const { downstream, get } = mockDownstream({ items: [] });
    await new CatalogClient(downstream).categories({ signal });
    expect(get).toHaveBeenCalledWith('catalog', '/categories', { signal });
  });
});
