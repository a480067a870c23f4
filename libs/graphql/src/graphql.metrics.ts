import { Counter, Histogram, register } from 'prom-client';

export interface GraphqlMetrics {
  /** Operations by name (`anonymous` when unnamed; `batch`...), type and outcome. */
  readonly duration: Histogram<'app' | 'operation' | 'outcome'>;
  /** Errors in answers by operation and `extensions.code`. */
  readonly errors: Counter<'app' | 'operation' | 'code'>;
  /** Estimated cost of admitted operations (see operationCost). */
  readonly cost: Histogram<'app' | 'operation'>;
}

let metrics: GraphqlMetrics | undefined;

/** The facade's metrics on prom-client's default register, created once per process. */
export function graphqlMetrics(): GraphqlMetrics {
  // Several apps may share one process (tests): reuse what an earlier one registered.
  metrics ??= {
    duration:
      (register.getSingleMetric('bff_graphql_operation_duration_seconds') as
        GraphqlMetrics['duration'] | undefined) ??
      new Histogram({
        name: 'bff_graphql_operation_duration_seconds',
        help: 'GraphQL operations, from arrival to answer, by operation name and outcome',
        labelNames: ['app', 'operation', 'outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      }),
    errors:
      (register.getSingleMetric('bff_graphql_errors_total') as
        GraphqlMetrics['errors'] | undefined) ??
      new Counter({
        name: 'bff_graphql_errors_total',
        help: 'Errors in GraphQL answers by operation name and extensions.code',
        labelNames: ['app', 'operation', 'code'],
      }),
    cost:
      (register.getSingleMetric('bff_graphql_operation_cost') as
        GraphqlMetrics['cost'] | undefined) ??
      new Histogram({
        name: 'bff_graphql_operation_cost',
        help: 'Estimated cost of admitted GraphQL operations',
        labelNames: ['app', 'operation'],
        buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
      }),
  };
  return metrics;
}
