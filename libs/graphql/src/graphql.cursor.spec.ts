import { connectionOf, encodeCursor, pagesFor, startAfter } from './graphql.cursor';

describe('connection cursors', () => {
  it('round-trips an offset and refuses a foreign cursor', () => {
    expect(startAfter(encodeCursor(9))).toBe(10);
    expect(startAfter(undefined)).toBe(0);
    expect(() => startAfter('bm9wZQ')).toThrow('Invalid cursor');
  });

  it('needs one page when aligned, two otherwise', () => {
    expect(pagesFor(20, 10)).toEqual([{ page: 3, pageSize: 10 }]);
    expect(pagesFor(15, 10)).toEqual([
      { page: 2, pageSize: 10 },
      { page: 3, pageSize: 10 },
    ]);
  });

  it('slices the fetched pages and says whether more follow', () => {
    const page = (n: number) => ({
      items: Array.from({ length: 10 }, (_, i) => (n - 1) * 10 + i),
      page: n,
      pageSize: 10,
      total: 25,
    });
    const c = connectionOf([page(2), page(3)], 15, 10);
    expect(c.edges.map((e) => e.node)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(c.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor(24) });
    expect(c.totalCount).toBe(25);
  });
});
