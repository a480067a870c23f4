export {
  aggregate,
  required,
  optional,
  responseMeta,
  staticFallback,
  fallbackChain,
} from './aggregate';
export type {
  Aggregate,
  AggregateData,
  Fallback,
  Part,
  Parts,
  RequiredPart,
  OptionalPart,
  ResponseMeta,
} from './aggregation.types';
