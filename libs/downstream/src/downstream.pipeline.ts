import type { DownstreamServiceConfig, DownstreamTokenConfig } from '@app/config';
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
import type { HeaderPolicy } from './header.policy';
import { userContextMiddleware } from './user-context.middleware';

export interface PipelineOptions {
  marginMs: number;
  /** Policies (retry, circuit breaker, bulkhead...) for this service, outermost first. */
  policies: readonly DownstreamMiddleware[];
  /** Metrics, spans and log timings of every attempt (@app/observability); none = no cost. */
  observer?: DownstreamObserver;
  /** Signs an `X-Internal-Token` for downstreams (`config.auth.downstreamToken`); none = headers only. */
  downstreamToken?: DownstreamTokenConfig;
  /** What may be forwarded (`config.edge.headers`); default: the policy without an allow-list. */
  headerPolicy?: HeaderPolicy;
}

/**
 * The whole path of a downstream call, top to bottom. Built once per service at start-up.
 * Order matters:
 * 1. deadline: the endpoint budget covers every retry below it;
 * 2. user context: the header policy strips client-sent identity, credential, rewriting and
 *     hop-by-hop headers in every spelling, the verified caller's `X-User-Id`/`X-User-Roles`/
 *     `X-Org-Id` and the client's `Idempotency-Key` are set, whatever the code above added
 *     (before the policies, whose retry eligibility reads that key);
 * 3. policies: retries see typed errors and each attempt is counted by the breaker;
 * 3b. observe (when an observer is set, @app/observability): a span, metrics and log timings per
 *     attempt actually sent (cache hits and short-circuits are not downstream requests);
 * 3c. context headers: request id and a traceparent naming this attempt's span go out;
 * 4. status: turns 5xx and mirrored 4xx into typed errors, so policies can tell failures apart;
 * 5. transport: undici or axios.
 */
export function buildPipeline(
  service: DownstreamServiceConfig,
  transport: DownstreamTransport,
  options: PipelineOptions,
): DownstreamProxy {
  return compose(
    deadlineMiddleware(options.marginMs),
    userContextMiddleware(options.downstreamToken, options.headerPolicy),
    ...options.policies,
    ...(options.observer === undefined ? [] : [observeMiddleware(options.observer)]),
    contextHeadersMiddleware(),
    statusMiddleware(),
  )(transport.send);
}
