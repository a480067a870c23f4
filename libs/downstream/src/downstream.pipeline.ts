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

/**
 * The policy slots of one service's stack, filled by the libs that own them (@app/cache,
 * @app/resilience) and placed by {@link downstreamStack}; an empty slot is skipped.
 */
export interface PolicyLayers {
  cache?: DownstreamMiddleware;
  retry?: DownstreamMiddleware;
  circuitBreaker?: DownstreamMiddleware;
  bulkhead?: DownstreamMiddleware;
}

export interface PipelineOptions {
  marginMs: number;
  /** Cache, retry, circuit breaker and bulkhead of this service; none = no policies. */
  layers?: PolicyLayers;
  /** Metrics, spans and log timings of every attempt (@app/observability); none = no cost. */
  observer?: DownstreamObserver;
  /** Signs an `X-Internal-Token` for downstreams (`config.auth.downstreamToken`); none = headers only. */
  downstreamToken?: DownstreamTokenConfig;
  /** What may be forwarded (`config.edge.headers`); default: the policy without an allow-list. */
  headerPolicy?: HeaderPolicy;
}

/** A service's assembled stack: its layer names, outermost first, and the proxy they make. */
export interface DownstreamStack {
  readonly layers: readonly string[];
  readonly proxy: DownstreamProxy;
}

/**
 * The whole path of a downstream call, top to bottom (lura's `newStack`). Built once per service
 * at start-up. Order matters:
 */
export function downstreamStack(
  transport: DownstreamTransport,
  options: PipelineOptions,
): DownstreamStack {
  const layers = options.layers ?? {};
  const slots: [string, DownstreamMiddleware | undefined][] = [
    // The endpoint budget covers every retry below it (one signal, one deadline per call).
    ['deadline', deadlineMiddleware(options.marginMs)],
    // Strips client-sent identity, credential, rewriting and hop-by-hop headers in every spelling,
    // then sets the verified caller's `X-User-Id`/`X-User-Roles`/`X-Org-Id` and the client's
    // `Idempotency-Key`, whatever the code above added; before retry, whose eligibility reads it.
    ['user-context', userContextMiddleware(options.downstreamToken, options.headerPolicy)],
    // Outermost policy: a hit skips retry, breaker and bulkhead, and stale-if-error can answer
    // the errors they raise (breaker open included).
    ['cache', layers.cache],
    // Each attempt goes through the breaker, so retries are counted and stop when it opens.
    ['retry', layers.retry],
    // An open circuit refuses a call before it takes a bulkhead slot.
    ['circuit-breaker', layers.circuitBreaker],
    // Caps what is really in flight to the service; its refusals are not failures of the service.
    ['bulkhead', layers.bulkhead],
    // A span, metrics and log timings per attempt actually sent (cache hits and short-circuits
    // are not downstream requests); names the span the traceparent below carries.
    ['observe', options.observer && observeMiddleware(options.observer)],
    // Request id and a traceparent naming this attempt's span.
    ['context-headers', contextHeadersMiddleware()],
    // 5xx and mirrored 4xx become typed errors, so the policies above can tell failures apart.
    ['status', statusMiddleware()],
    // undici or axios: sends what comes out of the layers above.
    ['transport', () => transport.send],
  ];
  const used = slots.filter(
    (slot): slot is [string, DownstreamMiddleware] => slot[1] !== undefined,
  );
  return {
    layers: used.map(([name]) => name),
    proxy: compose(...used.map(([, middleware]) => middleware))(transport.send),
  };
}

/** The proxy of a service's {@link downstreamStack}. */
export function buildPipeline(
  _service: DownstreamServiceConfig,
  transport: DownstreamTransport,
  options: PipelineOptions,
): DownstreamProxy {
  return downstreamStack(transport, options).proxy;
}
