import type { Counter, Histogram } from 'prom-client';
import { getOrCreateCounter, getOrCreateHistogram } from '@app/observability';

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
    duration: getOrCreateHistogram(
      'bff_graphql_operation_duration_seconds',
      'GraphQL operations, from arrival to answer, by operation name and outcome',
      ['app', 'operation', 'outcome'] as const,
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    errors: getOrCreateCounter(
      'bff_graphql_errors_total',
      'Errors in GraphQL answers by operation name and extensions.code',
      ['app', 'operation', 'code'] as const,
    ),
    cost: getOrCreateHistogram(
      'bff_graphql_operation_cost',
      'Estimated cost of admitted GraphQL operations',
      ['app', 'operation'] as const,
      [1, 5, 10, 25, 50, 100, 250, 500, 1000],
    ),
  };
  return metrics;
}
