export { RoutingModule } from './routing.module';
export { ROUTE_TABLE } from './routing.tokens';
export type { RoutingModuleOptions } from './routing.module';
export { loadRouteTable } from './route-table.loader';
export type { CompiledRoute } from './route-table.types';
export { inCanary } from './canary';
export {
  compileTransform,
  defineTransform,
  currentTransformContext,
  applyBodyTransform,
  applyHeaderTransform,
  convertKeys,
  xmlToJson,
  VALUE_SOURCES,
} from './route-transform';
export type {
  CompiledTransform,
  TransformContext,
  ValueSource,
  HeaderBag,
  Direction,
} from './route-transform';
export { RequestValidationError } from './route-policy.service';
export { AccessDeniedError, AuthorizerUnavailableError } from './route-authorizer';
