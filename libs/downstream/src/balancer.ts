import type { BalancerStrategy } from '@app/config';
import { Counter, register } from 'prom-client';

/** Balancing settings of one instance set (a service's primary or canary instances). */
export interface BalancerSettings {
  readonly strategy: BalancerStrategy;
  /** Consecutive failures that eject an instance; 0 never ejects. */
  readonly ejectAfterFailures: number;
  /** How long an ejected instance is left out, in ms. */
  readonly ejectMs: number;
}

/** Bookkeeping of one instance; `T` carries what the transport needs (its pool, path prefix). */
export interface BalancedInstance<T> {
  readonly target: T;
  /** Origin of the instance, for metrics and logs. */
  readonly label: string;
  /** Calls in flight. */
  pending: number;
  /** Consecutive failures since the last success. */
  failures: number;
  /** `performance.now()` until which the instance is ejected. */
  ejectedUntil: number;
}

/** What a finished call says about the instance that served it. */
export type CallOutcome = 'success' | 'failure' | 'neutral';

function ejectionsCounter(): Counter<'service' | 'instance'> {
  const name = 'bff_upstream_ejections_total';
  // Several apps may share one process (tests): the metric is registered once.
  return (
    (register.getSingleMetric(name) as Counter<'service' | 'instance'> | undefined) ??
    new Counter({
      name,
      help: 'Downstream instances ejected by the passive health check',
      labelNames: ['service', 'instance'],
    })
  );
}

/**
 * Picks an instance for each call: round robin or least pending, skipping instances that failed
 * `ejectAfterFailures` times in a row until their cool-off has passed (passive health check).
 * No timers: ejection is a timestamp compared on each pick.
 */
export class InstanceBalancer<T> {
  readonly instances: BalancedInstance<T>[];
  private next = 0;
  private readonly ejections = ejectionsCounter();

  constructor(
    private readonly service: string,
    targets: readonly { target: T; label: string }[],
    private readonly settings: BalancerSettings,
  ) {
    if (targets.length === 0) throw new Error(`No instances for downstream "${service}"`);
    this.instances = targets.map((t) => ({ ...t, pending: 0, failures: 0, ejectedUntil: 0 }));
  }

  /** Chooses an instance and counts the call as pending on it; pair with {@link release}. */
  acquire(now = performance.now()): BalancedInstance<T> {
    const list = this.instances;
    const n = list.length;
    const start = this.next;
    this.next = (start + 1) % n;
    let chosen: BalancedInstance<T> | undefined;
    if (this.settings.strategy === 'least-pending') {
      for (let i = 0; i < n; i++) {
        const candidate = list[(start + i) % n];
        if (candidate.ejectedUntil > now) continue;
        if (chosen === undefined || candidate.pending < chosen.pending) chosen = candidate;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const candidate = list[(start + i) % n];
        if (candidate.ejectedUntil <= now) {
          chosen = candidate;
          break;
        }
      }
    }
    // Every instance ejected: trying one beats failing without a call (panic mode).
    chosen ??= list[start];
    chosen.pending++;
    return chosen;
  }

  /** Ends a call started with {@link acquire} and updates the instance's health. */
  release(instance: BalancedInstance<T>, outcome: CallOutcome, now = performance.now()): void {
    instance.pending--;
    if (outcome === 'success') {
      instance.failures = 0;
      return;
    }
    if (outcome === 'neutral' || this.settings.ejectAfterFailures === 0) return;
    instance.failures++;
    if (instance.failures >= this.settings.ejectAfterFailures && instance.ejectedUntil <= now) {
      instance.ejectedUntil = now + this.settings.ejectMs;
      // Back in after the cool-off on probation: one more failure ejects it again.
      instance.failures = this.settings.ejectAfterFailures - 1;
      this.ejections.inc({ service: this.service, instance: instance.label });
    }
  }

  /** Instances currently receiving traffic. */
  healthy(now = performance.now()): number {
    return this.instances.filter((i) => i.ejectedUntil <= now).length;
  }
}
