import { RequestContextStore, type RequestContext } from '@app/core';

/** What cache code below a handler tells the response cache above it, per request. */
interface Marks {
  /** Something in this response came from a stale cache entry. */
  stale: boolean;
  tags: Set<string>;
}

// Keyed by the request's context object: nothing to clean up, nothing added to the core type.
const marks = new WeakMap<RequestContext, Marks>();

function marksOf(ctx: RequestContext): Marks {
  let m = marks.get(ctx);
  if (m === undefined) marks.set(ctx, (m = { stale: false, tags: new Set() }));
  return m;
}

/**
 * Attaches invalidation tags to the response being built (e.g. `product:prd_0001`), so that
 * `POST /ops/cache/purge {"tag": ...}` drops it. No-op outside a request.
 */
export function tagResponse(...tags: string[]): void {
  const ctx = RequestContextStore.current();
  if (ctx === undefined) return;
  const set = marksOf(ctx).tags;
  for (const tag of tags) set.add(tag);
}

/** Records that the current response uses stale data (so it is marked and never stored). */
export function markStale(ctx = RequestContextStore.current()): void {
  if (ctx !== undefined) marksOf(ctx).stale = true;
}

export function isMarkedStale(ctx: RequestContext | undefined): boolean {
  return ctx !== undefined && marks.get(ctx)?.stale === true;
}

export function responseTags(ctx: RequestContext | undefined): readonly string[] {
  const m = ctx === undefined ? undefined : marks.get(ctx);
  return m === undefined ? [] : [...m.tags];
}
