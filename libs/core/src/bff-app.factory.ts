// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- a type-only augmentation: an import would be emitted as a require of a file that does not exist
/// <reference path="./fastify.d.ts" />
import {
  INestApplication,
  LogLevel as NestLogLevel,
  ValidationPipe,
  VersioningType,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { BffConfig, LogLevel } from '@app/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BffExceptionFilter } from './bff-exception.filter';
import { findAppSetups } from './bff-app.setup';
import { BffLifecycle } from './bff-lifecycle';
import { installDeadline } from './deadline.hook';
import { REQUEST_ID_HEADER, createRequestContext } from './request-context';
import { RequestContextInterceptor } from './request-context.interceptor';
import { idempotencyKeyOf } from './idempotency.key';
import { jsonBodyParser } from './json-body.parser';
import { installRequestLimits, serverLimitOptions } from './request.limits';
import { setSecurityHeaders } from './security-headers';
import type { IncomingMessage } from 'node:http';

export interface BffAppOptions {
  config: BffConfig;
  /** URI versioning (`/v1/...`) for apps that version their endpoints; unversioned routes get `defaultVersion`. */
  uriVersioning?: { defaultVersion: string };
  /** Rewrites the raw URL before routing (header/media-type versioning of @app/shaping). */
  rewriteUrl?: (request: IncomingMessage) => string;
}

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  silent: [],
};

/**
 * Creates a BFF application on Fastify with the cross-cutting pieces every BFF shares:
 * request context (id, trace, deadline), partial-response headers, one error format.
 */
export async function createBffApp(
  rootModule: unknown,
  options: BffAppOptions,
): Promise<NestFastifyApplication> {
  const { config } = options;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Forwarded headers are only trusted when the operations issue configures trusted proxies.
    trustProxy: false,
    return503OnClosing: true,
    // Head size and time, whole-request time (body included), keep-alive: BFF_* limits.
    ...serverLimitOptions(config.edge.limits),
    ...(options.rewriteUrl === undefined ? {} : { rewriteUrl: options.rewriteUrl }),
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule as never, adapter, {
    logger: NEST_LEVELS[config.logLevel],
    // Held until a BffAppSetup installs the structured logger (flushed below either way).
    bufferLogs: true,
    // Errors during creation reject (and reach runBff / the test) instead of process.exit(1);
    // also lets optional lookups such as findAppSetups fail softly.
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const lifecycle = app.get(BffLifecycle);

  const checkLimits = installRequestLimits(
    app.getHttpServer(),
    config.edge,
    config.rateLimit.trustedProxies,
  );
  // JSON bodies: size and nesting bounded before parsing (BFF_JSON_MAX_BYTES, BFF_JSON_MAX_DEPTH).
  app.useBodyParser(
    'application/json',
    { bodyLimit: config.edge.limits.jsonMaxBytes },
    jsonBodyParser(config.edge.limits.jsonMaxDepth, fastify.getDefaultJsonParser('error', 'error')),
  );

  fastify.decorateRequest('bffContext', null as never);
  fastify.addHook(
    'onRequest',
    (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      request.bffContext = createRequestContext(request.headers, config.deadlineMs);
      reply.header(REQUEST_ID_HEADER, request.bffContext.requestId);
      // HSTS, nosniff, DENY, no referrer, CSP: on every answer, errors and 404s included. CORS of
      // the web BFF lives in ONE place: `spaCorsOptions` of @app/session (web-bff.app.ts).
      setSecurityHeaders(reply, request.url);
      // Connection cap, header count and path rule: before sessions, guards and body parsing.
      const refused = checkLimits(request, reply);
      if (refused !== undefined) return done(refused);
      const key = idempotencyKeyOf(request.method, request.headers);
      if (key instanceof Error) return done(key);
      if (key !== undefined) request.bffContext.idempotencyKey = key;
      done();
    },
  );
  // The endpoint deadline also bounds what runs before the handler (sessions, guards).
  installDeadline(fastify);
  fastify.addHook(
    'onSend',
    (
      request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
      done: (err: null, p: unknown) => void,
    ) => {
      const partial = request.bffContext?.partial;
      if (partial !== undefined && partial.length > 0) {
        // A partial aggregate must never be stored by any cache.
        reply.header('x-partial-response', partial.join(','));
        reply.header('cache-control', 'no-store');
      }
      // While draining, clients are asked to reconnect (to another instance) after this response.
      if (lifecycle.draining) reply.header('connection', 'close');
      done(null, payload);
    },
  );
  // Libs' own hooks (observability: logger, spans, metrics) run after the request context exists.
  for (const setup of findAppSetups(app)) setup.setup(app);
  app.flushLogs();

  if (options.uriVersioning !== undefined) {
    app.enableVersioning({
      type: VersioningType.URI,
      defaultVersion: options.uriVersioning.defaultVersion,
    });
  }
  app.useGlobalFilters(new BffExceptionFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
    }),
  );
  app.useGlobalInterceptors(app.get(RequestContextInterceptor));
  // No enableShutdownHooks(): runBff drains on SIGTERM itself and exits 0 (graceful-shutdown.ts).
  return app;
}

/** Starts an app and returns the URL it listens on. */
export async function listen(app: INestApplication, port: number, host: string): Promise<string> {
  await app.listen(port, host);
  const url = await app.getUrl();
  return url.replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
}
