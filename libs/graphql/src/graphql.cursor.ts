import { GraphqlBadInputError } from './graphql.errors';

/** Opaque cursors of the connections: the item's 0-based offset in the list. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** The offset after `cursor` (0 without one); a cursor this API did not make is BAD_USER_INPUT. */
export function startAfter(cursor: string | null | undefined): number {
  if (cursor === undefined || cursor === null) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (match === null) throw new GraphqlBadInputError('Invalid cursor');
  return Number(match[1]) + 1;
}

/** The pages (`page`, `pageSize`) of a `pageSize`-paged service that cover [start, start + first). */
export function pagesFor(start: number, first: number): { page: number; pageSize: number }[] {
  const page = Math.floor(start / first) + 1;
  // Aligned (the usual case: the same `first` as the previous page): one call.
  if (start % first === 0) return [{ page, pageSize: first }];
  return [
    { page, pageSize: first },
    { page: page + 1, pageSize: first },
  ];
}

/** A connection over the slice [start, start + first) of fetched pages. */
export function connectionOf<T>(
  pages: readonly { items: T[]; page: number; pageSize: number; total: number }[],
  start: number,
  first: number,
): {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
} {
  const firstPage = pages[0];
  const base = (firstPage.page - 1) * firstPage.pageSize;
  const items = pages.flatMap((p) => p.items).slice(start - base, start - base + first);
  const edges = items.map((node, i) => ({ cursor: encodeCursor(start + i), node }));
  const total = firstPage.total;
  return {
    edges,
    pageInfo: {
      hasNextPage: start + items.length < total,
      endCursor: edges.length === 0 ? null : edges[edges.length - 1].cursor,
    },
    totalCount: total,
  };
}
