export { DownstreamModule } from './downstream.module';
export type { DownstreamModuleOptions, DownstreamModuleAsyncOptions } from './downstream.options';
export { DownstreamClient } from './downstream.client';
export { buildPipeline, downstreamStack } from './downstream.pipeline';
export type { DownstreamStack, PipelineOptions, PolicyLayers } from './downstream.pipeline';
export {
  compose,
  BUDGET_HEADER,
  refreshBudgetHeader,
  observeMiddleware,
  upstreamAnswerOf,
} from './downstream.middlewares';
export type { UpstreamAnswer } from './downstream.middlewares';
export { DOWNSTREAM_OBSERVER } from './downstream.types';
export {
  userContextMiddleware,
  sanitizeHeaders,
  signInternalToken,
  USER_ID_HEADER,
  USER_ROLES_HEADER,
  ORG_ID_HEADER,
  INTERNAL_TOKEN_HEADER,
  IDEMPOTENCY_KEY_HEADER,
} from './user-context.middleware';
export { HeaderPolicy, HOP_BY_HOP_HEADERS, canonicalHeaderName } from './header.policy';
export { dpath } from './dpath';
export { UndiciTransport } from './transports/undici.transport';
export { AxiosTransport } from './transports/axios.transport';
export type {
  HttpMethod,
  DownstreamRequest,
  DownstreamResponse,
  DownstreamCall,
  RawResponse,
  DownstreamProxy,
  DownstreamMiddleware,
  DownstreamTransport,
  DownstreamObserver,
  QueryValue,
  PassThroughRequest,
  PassThroughResponse,
} from './downstream.types';
export { InstanceBalancer } from './balancer';
export type { BalancerSettings, BalancedInstance, CallOutcome } from './balancer';
