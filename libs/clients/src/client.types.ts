/** Per-call options every typed client method takes, passed through to the DownstreamClient. */
export interface CallOptions {
  /** Cancels the call, e.g. the signal an aggregation part gets. */
  signal?: AbortSignal;
  /** Extra request headers (the pipeline still applies the header policy). */
  headers?: Readonly<Record<string, string>>;
}

/** How many items a batch lookup asks for at once: the services' largest page. */
export const BATCH_PAGE_SIZE = 100;
