import { BffAuthGuard } from '@app/auth';
import {
  DeadlineExceededError,
  HttpRouteContext,
  Public,
  RequestContextStore,
  passGates,
  replyWithError,
} from '@app/core';
import { TieredThrottlerGuard } from '@app/throttling';
import {
  type CanActivate,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GrpcTranscoder } from './grpc-transcoder.service';
import { RouteProxy } from './route-proxy.service';
import type { CompiledRoute } from './route-table.types';
import { ROUTE_CONFIG_KEY } from './routing.hooks';
import { ROUTE_TABLE } from './routing.tokens';

/**
 * The platform's gates, in the order the app module installs them as global guards: who calls
 * (auth), then how much they may (rate limits, keyed by the verified caller). Each is optional
 * (an app without throttling), except auth where a route requires it.
 */
const GATES: readonly Type<CanActivate>[] = [BffAuthGuard, TieredThrottlerGuard];

/**
 * Serves the route table through native Fastify routes (`prefix` and `prefix/*`, every method).
 * A request passes the same guard instances a Nest controller would get, in the same order, then
 * the proxy; Nest's router, pipes and rxjs interceptor chain are left out of the proxy path (they
 * were most of its cost). What a controller got from the global interceptors is done here: the
 * handler runs in the request's async context, within the endpoint deadline. Errors go to the
 * one error mapping of @app/core, as from the global exception filter.
 */
@Injectable()
export class ProxyRoutes implements OnModuleInit {
  private readonly logger = new Logger('Routing');

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly modules: ModuleRef,
    private readonly proxy: RouteProxy,
    private readonly transcoder: GrpcTranscoder,
    @Inject(ROUTE_TABLE) private readonly routes: readonly CompiledRoute[],
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    const gates = this.installedGates();
    for (const route of this.routes) this.register(fastify, route, gates);
  }

  private installedGates(): CanActivate[] {
    const gates: CanActivate[] = [];
    for (const type of GATES) {
      try {
        gates.push(this.modules.get(type, { strict: false }));
      } catch {
        // Not imported by this app (fixture apps); a route that needs auth is refused below.
      }
    }
    return gates;
  }

  private register(fastify: FastifyInstance, route: CompiledRoute, gates: CanActivate[]): void {
    if (route.settings.auth === 'required' && !gates.some((g) => g instanceof BffAuthGuard)) {
      // Never an open proxy by accident: a route that requires a caller needs the auth lib.
      throw new Error(
        `route ${route.settings.name} requires auth but the app does not import AuthModule`,
      );
    }
    // The class and handler the guards read metadata from, one pair per route, as a controller's.
    const owner = class {};
    Object.defineProperty(owner, 'name', {
      value: `RouteProxy_${route.settings.name.replace(/-/g, '_')}`,
    });
    const proxy = this.proxy;
    const transcoder = this.transcoder;
    const handle = async function forward(
      request: FastifyRequest,
      reply: FastifyReply,
    ): Promise<FastifyReply> {
      await passGates(gates, new HttpRouteContext(request, reply, owner, handle));
      const ctx = request.bffContext;
      // Spent before the handler (a slow guard): the proxy does not start. Past this point the
      // deadline hook's timer (armed before the guards) still answers 504 when the budget runs out.
      if (ctx.deadlineAt - performance.now() <= 0) {
        throw new DeadlineExceededError('The endpoint deadline was exceeded');
      }
      await RequestContextStore.run(ctx, () =>
        route.grpc === undefined
          ? proxy.forward(route, request, reply)
          : transcoder.forward(route, request, reply),
      );
      return reply;
    };
    Object.defineProperty(handle, 'name', { value: owner.name });
    // Public routes let anonymous callers through the auth guard but still verify a presented
    // credential (the canary split and the downstream identity use it).
    if (route.settings.auth === 'public') Public({ optionalAuth: true })(owner);
    const options = {
      config: { [ROUTE_CONFIG_KEY]: route },
      errorHandler: (error: unknown, request: FastifyRequest, reply: FastifyReply) =>
        replyWithError(error, request, reply, this.logger),
    };
    if (route.grpc !== undefined) {
      // REST to gRPC: the exact path, its `{field}` segments as Fastify parameters.
      fastify.all(route.grpc.fastifyPath, options, handle);
      return;
    }
    fastify.all(route.prefix, options, handle);
    fastify.all(`${route.prefix}/*`, options, handle);
  }
}
