import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CompiledRoute } from './route-table.types';

/** Content type a pass-through body is relabelled with, so Fastify hands it over unparsed. */
export const PASS_THROUGH_TYPE = 'application/x-bff-pass-through';
/** The client's real `Content-Type` (null when it sent none), kept on the raw request. */
export const ORIGINAL_CONTENT_TYPE = Symbol('bff.originalContentType');

/** Route config key under which each proxy route carries its compiled route (Fastify route config). */
export const ROUTE_CONFIG_KEY = 'bffRoute';

interface WithRoute {
  [ROUTE_CONFIG_KEY]?: CompiledRoute;
}

/**
 * The Fastify hook of the declarative routes, preParsing (after every onRequest hook, before the
 * guards): publishes the matched route's settings as `bffContext.route`, applies its timeout to
 * the request deadline, and relabels a body so it streams to the downstream instead of being parsed.
 */
@Injectable()
export class RoutingHooks implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(PASS_THROUGH_TYPE, (_request, _payload, done) => done(null));
    fastify.addHook('preParsing', (request: FastifyRequest, _reply, payload, done) => {
      const route = (request.routeOptions.config as WithRoute | undefined)?.[ROUTE_CONFIG_KEY];
      if (route !== undefined) {
        const ctx = request.bffContext;
        ctx.route = route.settings;
        if (route.settings.timeoutMs !== undefined) {
          ctx.deadlineAt = ctx.startedAt + route.settings.timeoutMs;
        }
        const method = request.method;
        if (method !== 'GET' && method !== 'HEAD') {
          const headers = request.raw.headers;
          (request.raw as { [ORIGINAL_CONTENT_TYPE]?: string | null })[ORIGINAL_CONTENT_TYPE] =
            headers['content-type'] ?? null;
          headers['content-type'] = PASS_THROUGH_TYPE;
        }
      }
      done(null, payload);
    });
  }
}
