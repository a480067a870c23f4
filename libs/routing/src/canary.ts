import { randomBytes } from 'node:crypto';

/** Cookie that keeps an anonymous caller on the same side of a canary split. */
export const STICKY_COOKIE = 'bff_sticky';
const STICKY_VALUE = /(?:^|;\s*)bff_sticky=([A-Za-z0-9_-]{16,64})(?:;|$)/;

/** FNV-1a, 32 bits: fast, stable across processes and instances (no per-process seed). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Whether `key` falls in the canary share of `route` (percent, two decimals of precision). The
 * route name is mixed in so that different routes split their callers independently.
 */
export function inCanary(route: string, key: string, percent: number): boolean {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  return fnv1a(`${route}\u0000${key}`) % 10_000 < Math.round(percent * 100);
}

/** The sticky id carried by the request's cookie header, if any. */
export function stickyIdFrom(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  return STICKY_VALUE.exec(cookieHeader)?.[1];
}

/** A new random sticky id and its `Set-Cookie` value. */
export function newStickyCookie(secure: boolean): { id: string; cookie: string } {
  const id = randomBytes(16).toString('base64url');
  const attributes = `Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  return { id, cookie: `${STICKY_COOKIE}=${id}; ${attributes}` };
}
