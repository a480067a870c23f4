import type { Principal } from '@app/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { FeedConnection } from './feed.connection';
import { type FeedTopic } from './events.types';
import { originAllowed, refusedTopics } from './feed.access';
import { OriginNotAllowedError } from './events.errors';
import { eventsMetrics } from './events.metrics';

/** Path of the WebSocket endpoint; a plain GET there is the gate's own check (426 otherwise). */
export const FEED_WS_PATH = '/events/ws';
/** Path of the SSE endpoint. */
export const FEED_SSE_PATH = '/events';
/** Header carrying the per-process secret that marks the gate's own check requests. */
export const FEED_CHECK_HEADER = 'x-bff-feed-check';

/** Headers a connect request's credentials are made of, kept to check them again later. */
const CREDENTIAL_HEADERS = [
  'authorization',
  'x-api-key',
  'cookie',
  'origin',
  'user-agent',
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
] as const;

/** What the gate's check answers. */
export interface FeedCheckBody {
  principal: Principal;
  expiresAt: number | undefined;
}

export type FeedCheck =
  | { ok: true; principal: Principal; expiresAt: number | undefined }
  | { ok: false; status: number; body: string; headers: Record<string, string> };

/** The credentials of one connection, to check them again (revocation, session end, expiry). */
export interface FeedCredentials {
  readonly headers: Record<string, string>;
  readonly remoteAddress: string;
}

/**
 * Authentication of feed connections through the app's own request pipeline: a connect (or a
 * later re-check) is replayed in-process (`fastify.inject`) as a GET of {@link FEED_WS_PATH} with
 * the client's credential headers and address, so it passes exactly what an HTTP request would
 * (address limit, session cookie hook, auth guard: JWT, API key, revocations, roles). The route
 * answers the verified principal only to requests carrying this process's secret.
 */
export class FeedGate {
  readonly secret = randomBytes(24).toString('hex');
  private fastify: FastifyInstance | undefined;
  /** SSE requests' credentials as the client sent them, before the session hook rewrote them. */
  private readonly sent = new WeakMap<FastifyRequest, FeedCredentials>();

  constructor(
    private readonly reauthMs: number,
    private readonly allowedOrigins: readonly string[],
  ) {}

  /**
   * Binds the gate to the app, and applies the Origin rule to `GET /events` before the session
   * hook (a `preHandler`) sees it. An `EventSource` cannot send `X-CSRF`; a cookie-only SSE
   * request is a read, accepted when its `Origin` is allowed (then marked `X-CSRF: 1` for the
   * session hook, as the WebSocket check does) and refused 403 otherwise, before the session is
   * looked up. Its credentials are kept as sent, so re-checks replay the cookie (session end, logout)
   * and not the access token the session hook puts in `Authorization`.
   */
  attach(fastify: FastifyInstance): void {
    this.fastify = fastify;
    fastify.addHook('preValidation', async (request: FastifyRequest) => {
      if (request.method !== 'GET' || request.routeOptions.url !== FEED_SSE_PATH) return;
      if (!originAllowed(request.headers, this.allowedOrigins)) {
        eventsMetrics().refusals.inc({ transport: 'sse', status: '403' });
        throw new OriginNotAllowedError('This origin may not open the feed');
      }
      this.sent.set(request, this.credentialsOf(request.headers, request.ip));
      if (request.headers.cookie !== undefined) request.headers['x-csrf'] = '1';
    });
  }

  /** The credentials `request` (a `GET /events`) was sent with. */
  sentCredentials(request: FastifyRequest): FeedCredentials {
    return this.sent.get(request) ?? this.credentialsOf(request.headers, request.ip);
  }

  credentialsOf(headers: IncomingHttpHeaders, remoteAddress: string | undefined): FeedCredentials {
    const kept: Record<string, string> = {};
    for (const name of CREDENTIAL_HEADERS) {
      const value = headers[name];
      if (typeof value === 'string') kept[name] = value;
    }
    // Browsers cannot add X-CSRF to a WebSocket or EventSource request; the Origin rule
    // (originAllowed) is the cross-site defence of cookie connections instead.
    if (kept.cookie !== undefined) kept['x-csrf'] = '1';
    return { headers: kept, remoteAddress: remoteAddress ?? '127.0.0.1' };
  }

  async check(credentials: FeedCredentials): Promise<FeedCheck> {
    if (this.fastify === undefined) throw new Error('FeedGate used before attach()');
    const response = await this.fastify.inject({
      method: 'GET',
      url: FEED_WS_PATH,
      headers: { ...credentials.headers, [FEED_CHECK_HEADER]: this.secret },
      remoteAddress: credentials.remoteAddress,
    });
    if (response.statusCode === 200) {
      const body = response.json<FeedCheckBody>();
      return { ok: true, principal: body.principal, expiresAt: body.expiresAt };
    }
    const headers: Record<string, string> = {};
    for (const name of ['www-authenticate', 'retry-after', 'x-request-id']) {
      const value = response.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return { ok: false, status: response.statusCode, body: response.body, headers };
  }

  /**
   * Checks the connection's credentials again every `reauthMs` and when its token expires; a
   * refusal ends it (401: `credentials`, 403 or a lost topic: `forbidden`).
   */
  watch(
    connection: FeedConnection,
    credentials: FeedCredentials,
    topics: readonly FeedTopic[],
    expiresAt: number | undefined,
  ): void {
    let timer: NodeJS.Timeout | undefined;
    const schedule = (expiry: number | undefined): void => {
      const untilExpiry = expiry === undefined ? Infinity : expiry - Date.now() + 50;
      // Past `exp` but still accepted (clock leeway): ask again each second until refused.
      const wait =
        untilExpiry > 0 ? Math.min(this.reauthMs, untilExpiry) : Math.min(this.reauthMs, 1_000);
      timer = setTimeout(recheck, wait);
      timer.unref();
    };
    const recheck = (): void => {
      if (connection.closed) return;
      this.check(credentials).then(
        (result) => {
          if (connection.closed) return;
          if (!result.ok)
            return connection.drop(result.status === 401 ? 'credentials' : 'forbidden');
          if (refusedTopics(result.principal, topics) !== undefined)
            return connection.drop('forbidden');
          schedule(result.expiresAt);
        },
        // The pipeline itself failed (shutting down): try again at the next period.
        () => schedule(undefined),
      );
    };
    connection.onEnd(() => clearTimeout(timer));
    schedule(expiresAt);
  }
}
