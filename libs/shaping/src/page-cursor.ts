import type { CursorCodec } from './cursor.codec';
import { ShapingInputError } from './shaping.errors';

/** Where a cursor-paged listing over a page-numbered downstream listing stands. */
export interface PagePosition {
  /** Downstream page (1-based). */
  page: number;
  /** Page size, fixed for the whole walk so pages neither overlap nor skip. */
  size: number;
}

/** Limits of one listing: `listing` names it and its filters, so a cursor fits only there. */
export interface PageCursorRules {
  listing: string;
  defaultLimit: number;
  maxLimit: number;
}

/**
 * The position a request asks for: the first page for no cursor, else the cursor's page. A cursor
 * of another listing or filter, or a `limit` that differs from the cursor's, is a 400.
 */
export function readPageCursor(
  codec: CursorCodec,
  cursor: string | undefined,
  limit: number | undefined,
  rules: PageCursorRules,
): PagePosition {
  if (cursor === undefined) return { page: 1, size: limit ?? rules.defaultLimit };
  const c = codec.decode(cursor);
  const valid =
    Number.isInteger(c.p) &&
    (c.p as number) >= 2 &&
    Number.isInteger(c.s) &&
    (c.s as number) >= 1 &&
    (c.s as number) <= rules.maxLimit &&
    c.l === rules.listing;
  if (!valid) {
    throw new ShapingInputError('INVALID_CURSOR', 'The cursor is not valid for this listing');
  }
  if (limit !== undefined && limit !== c.s) {
    throw new ShapingInputError('INVALID_CURSOR', 'limit cannot change within one listing');
  }
  return { page: c.p as number, size: c.s as number };
}

/** The cursor of the page after `position`, or null when `total` items end at this page. */
export function nextPageCursor(
  codec: CursorCodec,
  position: PagePosition,
  total: number,
  rules: Pick<PageCursorRules, 'listing'>,
): string | null {
  return position.page * position.size < total
    ? codec.encode({ p: position.page + 1, s: position.size, l: rules.listing })
    : null;
}
