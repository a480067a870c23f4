export {
  BffError,
  isBffError,
  BadUpstreamResponseError,
  DownstreamUnavailableError,
  DeadlineExceededError,
  DownstreamClientError,
} from './bff.errors';
export { InvalidPathError, BodyTooDeepError, TooManyConnectionsError } from './edge.errors';
export { pathRuleViolation } from './path.rule';
export { InvalidIdempotencyKeyError } from './idempotency.key';
export type { SemicolonMode } from './path.rule';
export { jsonDepthExceeds } from './json-body.parser';
export { BffExceptionFilter, mapError, errorBody, replyWithError } from './bff-exception.filter';
export { HttpRouteContext, passGates } from './route-gates';
export type { ErrorBody } from './bff-exception.filter';
export {
  RequestContextStore,
  createRequestContext,
  childTraceparent,
  newSpanId,
  remainingBudgetMs,
  REQUEST_ID_HEADER,
} from './request-context';
export type { RequestContext, Principal, RouteSettings, Tier } from './request-context';
export { Deadline } from './deadline.decorator';
export { Public, PUBLIC_METADATA } from './public.decorator';
export type { PublicMode } from './public.decorator';
export { RequestContextInterceptor } from './request-context.interceptor';
export { CoreModule } from './core.module';
export { createBffApp, listen } from './bff-app.factory';
export type { BffAppOptions } from './bff-app.factory';
export { IdParamPipe } from './id-param.pipe';
export { runBff } from './run-bff';
export { BffLifecycle } from './bff-lifecycle';
export { BFF_APP_SETUP } from './bff-app.setup';
export type { BffAppSetup } from './bff-app.setup';
export { drainAndClose } from './graceful-shutdown';
export { METRICS_REQUEST, METRICS_RESPONSE } from './bff-cluster';
