export { aggregate, required, optional, responseMeta } from './aggregate';
export type { OptionalPart } from './aggregation.types';
