import type { RequestContext } from './request-context';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the BFF's onRequest hook before any guard, interceptor or handler. */
    bffContext: RequestContext;
  }
}
