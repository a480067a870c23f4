import type { SessionConfig } from '@app/config';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, serializeCookie } from './session.cookies';
import { CsrfHeaderRequiredError, SessionRequiredError } from './session.errors';
import type { SessionService } from './session.service';

/** Paths of the session endpoints (navigations and SPA calls of the BFF pattern). */
export const SESSION_ROUTES = {
  login: '/auth/login',
  callback: '/auth/callback',
  logout: '/auth/logout',
  user: '/auth/user',
  backchannelLogout: '/auth/backchannel-logout',
} as const;

const OWN_ROUTES = new Set<string>(Object.values(SESSION_ROUTES));

/**
 * Routes the session hook never touches: its own, and the probes of orchestrators and balancers
 * (`/health/live`, `/health/ready`), which must answer whatever cookie a client sends, without
 * CSRF check, session lookup or credentials.
 */
const EXEMPT_ROUTES = new Set<string>([...OWN_ROUTES, '/health/live', '/health/ready']);

const hasCsrfHeader = (request: FastifyRequest): boolean => request.headers['x-csrf'] === '1';

/**
 * Installs the session on a Fastify instance: the `/auth/*` routes and a `preHandler` hook that,
 * for a request carrying the session cookie, demands `X-CSRF: 1` and puts the session's access
 * token in `Authorization`. The hook runs before the route handler, hence before every Nest guard,
 * so the auth lib verifies the token like any bearer token; and after the CORS `onRequest` hook, so
 * refusals still carry CORS headers the SPA can read.
 */
export function installSession(fastify: FastifyInstance, service: SessionService): void {
  const config = service.config;
  const cookie = (name: string, value: string, maxAge: number): string =>
    serializeCookie(name, value, {
      secure: config.cookieSecure,
      sameSite: config.cookieSameSite,
      maxAge,
    });
  const clearSession = cookie(config.cookieName, '', 0);
  const clearLogin = cookie(config.loginCookieName, '', 0);

  const useSession = async (request: FastifyRequest, reply: FastifyReply, sessionId: string) => {
    const session = await service.resolve(sessionId);
    if (session === undefined) {
      reply.header('set-cookie', clearSession);
      return;
    }
    request.headers.authorization = `Bearer ${session.accessToken}`;
  };
  // A callback hook, not an async one: most requests carry no session cookie and pass without a
  // promise and a microtask turn (this hook runs on every route, pass-through included).
  fastify.addHook(
    'preHandler',
    (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      const route = request.routeOptions.url;
      if (route !== undefined && EXEMPT_ROUTES.has(route)) return done();
      const cookies = request.headers.cookie;
      if (cookies === undefined || request.method === 'OPTIONS') return done();
      const sessionId = readCookie(cookies, config.cookieName);
      if (sessionId === undefined) return done();
      // Explicit credentials win; the cookie is then irrelevant (and not a CSRF vector).
      if (
        request.headers.authorization !== undefined ||
        request.headers['x-api-key'] !== undefined
      ) {
        return done();
      }
      if (!hasCsrfHeader(request)) return done(new CsrfHeaderRequiredError());
      useSession(request, reply, sessionId).then(() => done(), done);
    },
  );

  fastify.get<{ Querystring: { returnTo?: string } }>(
    SESSION_ROUTES.login,
    async (request, reply) => {
      const returnTo =
        typeof request.query.returnTo === 'string' ? request.query.returnTo : undefined;
      const { url, loginId } = await service.startLogin(returnTo);
      return reply
        .header('set-cookie', cookie(config.loginCookieName, loginId, config.loginTtlSeconds))
        .header('cache-control', 'no-store')
        .redirect(url, 302);
    },
  );

  fastify.get<{ Querystring: Record<string, unknown> }>(
    SESSION_ROUTES.callback,
    async (request, reply) => {
      const loginId = readCookie(request.headers.cookie, config.loginCookieName);
      // The pending login is single-use: drop its cookie whatever the outcome.
      reply.header('set-cookie', clearLogin).header('cache-control', 'no-store');
      const done = await service.completeLogin(loginId, request.query ?? {});
      return reply
        .header('set-cookie', [
          clearLogin,
          cookie(config.cookieName, done.sessionId, done.maxAgeSeconds),
        ])
        .redirect(done.returnUrl, 302);
    },
  );

  fastify.post(SESSION_ROUTES.logout, async (request, reply) => {
    if (!hasCsrfHeader(request)) throw new CsrfHeaderRequiredError();
    const result = await service.logout(readCookie(request.headers.cookie, config.cookieName));
    return reply
      .header('set-cookie', clearSession)
      .header('cache-control', 'no-store')
      .send({ loggedOut: true, ...result });
  });

  // OIDC Back-Channel Logout 1.0: the IdP posts a form-encoded `logout_token`. The form parser is
  // registered in this plugin only, so no other route starts accepting form bodies.
  void fastify.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 32_768 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.post<{ Body: Record<string, unknown> | undefined }>(
      SESSION_ROUTES.backchannelLogout,
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        const body = request.body;
        await service.backchannelLogout(typeof body === 'object' ? body?.logout_token : undefined);
        return reply.send({ loggedOut: true });
      },
    );
  });

  fastify.get(SESSION_ROUTES.user, async (request, reply) => {
    if (!hasCsrfHeader(request)) throw new CsrfHeaderRequiredError();
    const sessionId = readCookie(request.headers.cookie, config.cookieName);
    const session = sessionId === undefined ? undefined : await service.resolve(sessionId);
    reply.header('cache-control', 'no-store');
    if (session === undefined) {
      if (sessionId !== undefined) reply.header('set-cookie', clearSession);
      throw new SessionRequiredError();
    }
    return reply.send({ ...session.user, sub: session.sub });
  });
}

/**
 * Ends the session of `request`'s cookie, if any, and clears the cookie on `reply` (for routes of
 * the app that end sessions, e.g. "log out everywhere").
 */
export async function endRequestSession(
  service: SessionService,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const config = service.config;
  const sessionId = readCookie(request.headers.cookie, config.cookieName);
  if (sessionId === undefined) return;
  await service.logout(sessionId);
  reply.header(
    'set-cookie',
    serializeCookie(config.cookieName, '', {
      secure: config.cookieSecure,
      sameSite: config.cookieSameSite,
      maxAge: 0,
    }),
  );
}

/**
 * CORS for the web BFF: only the configured SPA origins, with credentials (the session cookie)
 * and the anti-forgery header. Any other origin gets no CORS header at all, not even
 * `Access-Control-Allow-Credentials`. Both option sets are built once.
 */
export function spaCorsOptions(config: SessionConfig): FastifyCorsOptions {
  const origins = new Set(config.spaOrigins);
  const allow: FastifyCorsOptions = {
    origin: true,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', 'x-csrf', 'x-request-id', 'traceparent'],
    // What the SPA reads cross-origin: revalidation, rate-limit state, correlation and partial pages.
    exposedHeaders: [
      'etag',
      'ratelimit',
      'ratelimit-policy',
      'retry-after',
      'x-request-id',
      'x-partial-response',
    ],
    maxAge: 600,
  };
  const deny: FastifyCorsOptions = { origin: false };
  return {
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      callback(null, origin !== undefined && origins.has(origin) ? allow : deny);
    },
  };
}
