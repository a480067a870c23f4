export { RoutingModule } from './routing.module';
export { ROUTE_TABLE } from './routing.tokens';
export type { RoutingModuleOptions } from './routing.module';
export { loadRouteTable } from './route-table.loader';
export type { CompiledRoute } from './route-table.types';
export { inCanary } from './canary';
export { applyCompression, compressionOptions } from './security';
