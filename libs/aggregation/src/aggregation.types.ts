/** A part whose failure fails the whole response. */
export interface RequiredPart<T> {
  readonly required: true;
  readonly run: (signal: AbortSignal) => Promise<T>;
}

/**
 * Replacement for a failed optional part, given the error: a static default, a stale cached copy
 * (possibly looked up asynchronously), or `undefined` to omit the part. The response is still
 * marked partial. An async fallback must settle before the endpoint deadline or the part is omitted.
 */
export type Fallback<T> = (error: unknown) => T | undefined | PromiseLike<T | undefined>;

/** A part that may be left out (listed as partial) or replaced by a fallback when it fails. */
export interface OptionalPart<T> {
  readonly required: false;
  readonly run: (signal: AbortSignal) => Promise<T>;
  /** Used when the part fails; see {@link Fallback}. */
  readonly fallback?: Fallback<T>;
}

export type Part<T> = RequiredPart<T> | OptionalPart<T>;

export type Parts = Record<string, Part<unknown>>;

/** The data of an aggregate: required parts are always there, optional ones may be missing. */
export type AggregateData<P extends Parts> = {
  [K in keyof P]: P[K] extends RequiredPart<infer T>
    ? T
    : P[K] extends OptionalPart<infer U>
      ? U | undefined
      : never;
};

export interface Aggregate<P extends Parts> {
  readonly data: AggregateData<P>;
  /** Names of optional parts that failed, in declaration order. */
  readonly partial: (keyof P & string)[];
}

/** Metadata every aggregated response carries. */
export interface ResponseMeta {
  /** Parts that failed and were left out or replaced by a default; empty when complete. */
  partial: string[];
}
