import type { BffAppName, BffConfig } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { GrpcTranscoder } from './grpc-transcoder.service';
import { RouteProxy } from './route-proxy.service';
import { ProxyRoutes } from './route-proxy.routes';
import { RouteCache } from './route-cache';
import { RouteAuthorizer } from './route-authorizer';
import { RoutePolicies } from './route-policy.service';
import { loadRouteTable } from './route-table.loader';
import type { CompiledRoute } from './route-table.types';
import { RoutingHooks } from './routing.hooks';
import { ROUTE_TABLE } from './routing.tokens';

/** Options of {@link RoutingModule}. */
export interface RoutingModuleOptions {
  /** The BFF whose route table (`config.routing.routesFiles[app]`) is served. */
  app: BffAppName;
  /** The validated config (the route table is read and checked against its registry at boot). */
  config: BffConfig;
  /** Routes to serve instead of the file (tests, generated tables); see `compileRouteTable`. */
  routes?: readonly CompiledRoute[];
}

/**
 * Declarative pass-through routes of one BFF, plus the routing hook (route settings for the other
 * libs, unparsed pass-through bodies). Routes are native Fastify routes behind the app's auth and
 * rate-limit guards (route-proxy.routes.ts). The table is a file named by the (synchronously
 * loaded) config, read when the module is built: there is no `forRootAsync`. A bad table throws
 * at boot.
 */
@Module({})
export class RoutingModule {
  static forRoot(options: RoutingModuleOptions): DynamicModule {
    const routes =
      options.routes ??
      loadRouteTable(options.config.routing.routesFiles[options.app], options.config);
    return {
      module: RoutingModule,
      providers: [
        RouteProxy,
        GrpcTranscoder,
        ProxyRoutes,
        RouteCache,
        RoutePolicies,
        RouteAuthorizer,
        RoutingHooks,
        { provide: ROUTE_TABLE, useValue: routes },
      ],
      exports: [ROUTE_TABLE],
    };
  }
}
