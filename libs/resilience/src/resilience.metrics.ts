import { Counter, Gauge, register } from 'prom-client';

/** Metrics of one service, bound to its label once so the hot path does no label lookup. */
export interface ServiceMetrics {
  state: { set(value: number): void };
  transitions: (to: string) => void;
  retries: { inc(): void };
  budgetExhausted: { inc(): void };
  bulkheadRejections: { inc(): void };
  shortCircuits: { inc(): void };
}

// Several apps (or tests) in one process share prom-client's default registry: reuse, never re-register.
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (
    (register.getSingleMetric(name) as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  return (
    (register.getSingleMetric(name) as Gauge<string> | undefined) ??
    new Gauge({ name, help, labelNames })
  );
}

/** Registers (once per process) the resilience metrics and binds them to `service`. */
export function serviceMetrics(service: string): ServiceMetrics {
  const state = gauge(
    'bff_circuit_state',
    'Circuit breaker state per downstream: 0 closed, 1 open, 2 half-open, 3 isolated',
    ['service'],
  );
  const transitions = counter(
    'bff_circuit_transitions_total',
    'Circuit breaker state changes per downstream and target state',
    ['service', 'to'],
  );
  const retries = counter(
    'bff_downstream_retries_total',
    'Downstream calls sent again after a failure',
    ['service'],
  );
  const budget = counter(
    'bff_retry_budget_exhausted_total',
    'Retries refused because the retry budget was spent',
    ['service'],
  );
  const bulkhead = counter(
    'bff_bulkhead_rejections_total',
    'Downstream calls refused because the bulkhead and its queue were full',
    ['service'],
  );
  const shortCircuits = counter(
    'bff_circuit_short_circuits_total',
    'Downstream calls refused without being sent because the circuit was open',
    ['service'],
  );
  const transitionChildren = new Map<string, Counter.Internal>();
  return {
    state: state.labels(service),
    transitions: (to) => {
      let child = transitionChildren.get(to);
      if (child === undefined) {
        child = transitions.labels(service, to);
        transitionChildren.set(to, child);
      }
      child.inc();
    },
    retries: retries.labels(service),
    budgetExhausted: budget.labels(service),
    bulkheadRejections: bulkhead.labels(service),
    shortCircuits: shortCircuits.labels(service),
  };
}
