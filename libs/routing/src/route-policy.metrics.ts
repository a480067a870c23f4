import type { Counter } from 'prom-client';
import { getOrCreateCounter } from '@app/observability';

export interface RoutePolicyMetrics {
  /** `bff_route_validation_rejections_total{route,part}` */
  readonly validationRejections: Counter<string>;
  /** `bff_route_transform_errors_total{route,direction}` */
  readonly transformErrors: Counter<string>;
  /** `bff_route_authorizer_decisions_total{route,decision,source}`; source `cache` = cache hit. */
  readonly authorizerDecisions: Counter<string>;
}

let metrics: RoutePolicyMetrics | undefined;

/** The route policies' counters (created on first use, in the default registry, once per process). */
export function routePolicyMetrics(): RoutePolicyMetrics {
  metrics ??= {
    validationRejections: getOrCreateCounter(
      'bff_route_validation_rejections_total',
      'Requests of declarative routes refused by their JSON Schema (validate), by request part',
      ['route', 'part'],
    ),
    transformErrors: getOrCreateCounter(
      'bff_route_transform_errors_total',
      'Declarative route transformations that failed (unparsable body), by direction',
      ['route', 'direction'],
    ),
    authorizerDecisions: getOrCreateCounter(
      'bff_route_authorizer_decisions_total',
      'External authorizer decisions of declarative routes: allow, deny or error; source authorizer or cache',
      ['route', 'decision', 'source'],
    ),
  };
  return metrics;
}
