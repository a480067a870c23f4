import { Counter, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  // The default registry is shared by every app of a test process: one instance per name.
  return (
    (register.getSingleMetric(name) as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

export interface RoutePolicyMetrics {
  /** `bff_route_validation_rejections_total{route,part}` */
  readonly validationRejections: Counter<string>;
  /** `bff_route_transform_errors_total{route,direction}` */
  readonly transformErrors: Counter<string>;
  /** `bff_route_authorizer_decisions_total{route,decision,source}`; source `cache` = cache hit. */
  readonly authorizerDecisions: Counter<string>;
}

let metrics: RoutePolicyMetrics | undefined;

/** The route policies' counters (created on first use, in the default registry). */
export function routePolicyMetrics(): RoutePolicyMetrics {
  metrics ??= {
    validationRejections: counter(
      'bff_route_validation_rejections_total',
      'Requests of declarative routes refused by their JSON Schema (validate), by request part',
      ['route', 'part'],
    ),
    transformErrors: counter(
      'bff_route_transform_errors_total',
      'Declarative route transformations that failed (unparsable body), by direction',
      ['route', 'direction'],
    ),
    authorizerDecisions: counter(
      'bff_route_authorizer_decisions_total',
      'External authorizer decisions of declarative routes: allow, deny or error; source authorizer or cache',
      ['route', 'decision', 'source'],
    ),
  };
  return metrics;
}
