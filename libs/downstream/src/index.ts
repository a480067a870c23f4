export { DownstreamModule } from './downstream.module';
export type { DownstreamModuleOptions, DownstreamModuleAsyncOptions } from './downstream.options';
export { DownstreamClient } from './downstream.client';
export { buildPipeline, downstreamStack } from './downstream.pipeline';
export type { PolicyLayers } from './downstream.pipeline';
export { compose, refreshBudgetHeader, upstreamAnswerOf } from './downstream.middlewares';
export type { UpstreamAnswer } from './downstream.middlewares';
export { DOWNSTREAM_OBSERVER } from './downstream.types';
export { HeaderPolicy, HOP_BY_HOP_HEADERS } from './header.policy';
export { dpath } from './dpath';
export { isRetryableFailure, markNotRetryable } from './retry.hints';
export { GrpcTransport } from './transports/grpc.transport';
export { GrpcContracts } from './grpc/grpc.contracts';
export type { RpcMethod, RpcInvocation } from './grpc/grpc.contracts';
export { TranscodeError, PROTO_LOADER_OPTIONS } from './grpc/proto.json';
export { compilePathTemplate } from './grpc/path.template';
export type { PathTemplate } from './grpc/path.template';
export type {
  HttpMethod,
  DownstreamCall,
  RawResponse,
  DownstreamProxy,
  DownstreamMiddleware,
  DownstreamObserver,
  PassThroughResponse,
} from './downstream.types';
