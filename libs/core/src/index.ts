export {
  BffError,
  isBffError,
  BadUpstreamResponseError,
  DownstreamUnavailableError,
  DeadlineExceededError,
  DownstreamClientError,
} from './bff.errors';
export { InvalidPathError, BodyTooDeepError } from './edge.errors';
export { jsonDepthExceeds } from './json-body.parser';
export { pathRuleViolation } from './path.rule';
export { trustedProxyList } from './trusted-proxies';
export { replyWithError } from './bff-exception.filter';
export { HttpRouteContext, passGates } from './route-gates';
export {
  RequestContextStore,
  createRequestContext,
  childTraceparent,
  REQUEST_ID_HEADER,
} from './request-context';
export type { RequestContext, Principal, RouteSettings, Tier } from './request-context';
export { Deadline } from './deadline.decorator';
export { disarmDeadline } from './deadline.hook';
export { Public, PUBLIC_METADATA } from './public.decorator';
export type { PublicMode } from './public.decorator';
export { CoreModule } from './core.module';
export { createBffApp, listen } from './bff-app.factory';
export { IdParamPipe } from './id-param.pipe';
export { runBff } from './run-bff';
export { BffLifecycle } from './bff-lifecycle';
export { BFF_APP_SETUP } from './bff-app.setup';
export type { BffAppSetup } from './bff-app.setup';
export { METRICS_REQUEST, METRICS_RESPONSE } from './bff-cluster';
