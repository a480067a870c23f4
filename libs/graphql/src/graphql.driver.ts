import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyInstance } from 'fastify';
import mercurius from 'mercurius';

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
      await scope.register(mercurius, rest as Parameters<typeof mercurius>[1]);
      for (const [name, hook] of Object.entries(hooks ?? {})) {
        scope.graphql.addHook(name as 'preExecution', hook as never);
      }
    });
  }
}
