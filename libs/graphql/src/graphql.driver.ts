import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyInstance } from 'fastify';
import mercurius from 'mercurius';

const IDE_CSP =
  "default-src 'none'; script-src 'self' https://unpkg.com; style-src 'self' 'unsafe-inline' " +
  "https://unpkg.com; img-src 'self' data:; font-src 'self' data: https://unpkg.com; " +
  "connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

type HookFn = Parameters<FastifyInstance['graphql']['addHook']>[1];

/**
 * The mercurius driver of @nestjs/mercurius, registered in its own Fastify scope and without
 * awaiting the registration. Awaited during module init (as the stock driver does), Fastify
 * builds every route registered so far before Nest installs its exception handler (Nest does that
 * after `onModuleInit`), so REST routes would answer errors from hooks (the address gate's 429,
 * a session refusal) with Fastify's default handler. Scoped, mercurius' error handler, its
 * `application/graphql` parser and its decorations stay on `/graphql`.
 */
export class ScopedMercuriusDriver extends MercuriusDriver {
  override async start(options: MercuriusDriverConfig): Promise<void> {
    const { hooks, ...rest } = options as MercuriusDriverConfig & {
      hooks?: Record<string, HookFn>;
    };
    const app = this.httpAdapterHost.httpAdapter.getInstance<FastifyInstance>();
    void app.register(async (scope) => {
      // GraphiQL (development only) loads React and GraphiQL from unpkg; the API's CSP forbids all.
      if (rest.graphiql !== undefined && rest.graphiql !== false) {
        scope.addHook('onRequest', (request, reply, done) => {
          if (request.url.startsWith('/graphiql')) reply.header('content-security-policy', IDE_CSP);
          done();
        });
      }
      await scope.register(mercurius, rest as Parameters<typeof mercurius>[1]);
      for (const [name, hook] of Object.entries(hooks ?? {})) {
        scope.graphql.addHook(name as 'preExecution', hook as never);
      }
    });
  }
}
