import type { Principal } from '@app/core';
import { type FeedTopic, TOPIC_ACCESS } from './events.types';

/** Why a caller may not subscribe to `topics`, or undefined when it may. */
export function refusedTopics(
  principal: Pick<Principal, 'roles' | 'scopes'>,
  topics: readonly FeedTopic[],
): { message: string; scopes: string[] } | undefined {
  for (const topic of topics) {
    const access = TOPIC_ACCESS[topic];
    if (!access.roles.some((r) => principal.roles.includes(r))) {
      return {
        message: `Topic "${topic}" requires one of the roles: ${access.roles.join(', ')}`,
        scopes: [...access.scopes],
      };
    }
    const missing = access.scopes.filter((s) => !principal.scopes.includes(s));
    if (missing.length > 0) {
      return {
        message: `Topic "${topic}" requires the scopes: ${access.scopes.join(' ')}`,
        scopes: [...access.scopes],
      };
    }
  }
  return undefined;
}

/**
 * `exp` (epoch ms) of the bearer token in `authorization`, read after the guard verified it (the
 * session hook puts a cookie session's token there too): when the connection must be checked again.
 */
export function tokenExpiry(authorization: string | undefined): number | undefined {
  const match = /^Bearer +([^. ]+)\.([^. ]+)\.[^ ]*$/i.exec(authorization ?? '');
  if (match === null) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(match[2], 'base64url').toString()) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Origin rule of the feed. Browsers send `Origin` on every WebSocket handshake and the
 * handshake carries the site's cookies whoever opens it (no CORS for WebSockets), so:
 * a request with an `Origin` must come from an allowed one, and one authenticated by a cookie alone
 * (no `Authorization`, no `X-API-Key`) must carry an allowed `Origin`. The one exception: a
 * same-origin `EventSource` sends no `Origin`, but its browser sends `Sec-Fetch-Site: same-origin`,
 * a header no page can set, so such a request comes from a page of the BFF itself.
 */
export function originAllowed(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  allowed: readonly string[],
): boolean {
  const origin = headers.origin;
  const explicit = headers.authorization !== undefined || headers['x-api-key'] !== undefined;
  if (origin === undefined) {
    return explicit || headers.cookie === undefined || headers['sec-fetch-site'] === 'same-origin';
  }
  return typeof origin === 'string' && allowed.includes(origin);
}
