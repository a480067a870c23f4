export { RoutingModule } from './routing.module';
export { ROUTE_TABLE } from './routing.tokens';
export type { RoutingModuleOptions } from './routing.module';
export { compileRouteTable, loadRouteTable, RouteTableError } from './route-table.loader';
export type { RouteDefinition, RouteTableFile, CompiledRoute } from './route-table.types';
export { resolveUpstreamPath } from './proxy-path';
export { forwardRequestHeaders, forwardResponseHeaders } from './proxy-headers';
export { RouteProxy } from './route-proxy.service';
export { inCanary, fnv1a, STICKY_COOKIE } from './canary';
export { applySecurityHeaders, applyCompression } from './security';
export { createOpenApiDocument, openApiDocumentOf, setupOpenApi } from './openapi';
export type { OpenApiInfo } from './openapi';
export {
  InvalidPathError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteForbiddenError,
  RouteUnauthorizedError,
} from './routing.errors';
