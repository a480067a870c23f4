import type { DownstreamServiceConfig } from '@app/config';
import {
  compose,
  contextHeadersMiddleware,
  deadlineMiddleware,
  observeMiddleware,
  statusMiddleware,
} from './downstream.middlewares';
import type {
  DownstreamMiddleware,
  DownstreamObserver,
  DownstreamProxy,
  DownstreamTransport,
} from './downstream.types';

export interface PipelineOptions {
  marginMs: number;
  /** Policies (retry, circuit breaker, bulkhead...) for this service, outermost first. */
  policies: readonly DownstreamMiddleware[];
  /** Metrics, spans and log timings of every call (@app/observability); none = no cost. */
  observer?: DownstreamObserver;
}

/**
 * The whole path of a downstream call, top to bottom. Built once per service at start-up.
 * Order matters:
 * 0. observe (when an observer is set): one span, metric and timing per call, whatever fails below;
 * 1. deadline: the endpoint budget covers every retry below it;
 * 2. context headers: request id and trace go out on every attempt;
 * 3. policies: retries see typed errors and each attempt is counted by the breaker;
 * 4. status: turns 5xx and mirrored 4xx into typed errors, so policies can tell failures apart;
 * 5. transport: undici or axios.
 */
export function buildPipeline(
  service: DownstreamServiceConfig,
  transport: DownstreamTransport,
  options: PipelineOptions,
): DownstreamProxy {
  return compose(
    ...(options.observer === undefined ? [] : [observeMiddleware(options.observer)]),
    deadlineMiddleware(options.marginMs),
    contextHeadersMiddleware(),
    ...options.policies,
    statusMiddleware(),
  )(transport.send);
}
