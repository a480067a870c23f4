import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { register } from 'prom-client';
import { TieredCache } from '@app/cache';
import { BffConfig } from '@app/config';
import { ReadinessService } from '@app/observability';
import { ResilienceRegistry } from '@app/resilience';
import { EventBus } from './event.bus';
import { type FleetReports, FleetRegistry, type InstanceReport } from './fleet.registry';
import { RedisEventBus } from './redis-event.bus';
import { EVENTS_APP } from './events.tokens';

/** How often breaker states are compared (a change is published within this). */
const CIRCUIT_POLL_MS = 250;
const MINUTE_MS = 60_000;

/**
 * Every BFF instance's operational events on the `ops` topic: breaker transitions per downstream
 * (`circuit.changed`), readiness changes (`readiness.changed`), and each minute its 5xx answers
 * and rate-limit rejections (`traffic.minute`), and operator cache purges made here with who
 * acknowledged them (`cache.purged`). It also reports its breakers to the fleet
 * registry every `EVENTS_REPORT_MS`, which `GET /ops/circuits` on admin-bff reads.
 */
@Injectable()
export class OpsReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly fleet: FleetRegistry;
  private readonly states = new Map<string, string>();
  private readiness: string | undefined;
  private timers: NodeJS.Timeout[] = [];
  private lastCounts = { errors: 0, rateLimited: 0, requests: 0 };

  constructor(
    private readonly bus: EventBus,
    private readonly registry: ResilienceRegistry,
    private readonly readinessService: ReadinessService,
    @Inject(BffConfig) private readonly config: BffConfig,
    @Inject(EVENTS_APP) private readonly app: string,
    private readonly cache: TieredCache,
  ) {
    const redis = bus instanceof RedisEventBus ? bus.client : undefined;
    this.fleet = new FleetRegistry(redis, config.events.keyPrefix, config.events.reportMs * 3);
  }

  onApplicationBootstrap(): void {
    if (!this.config.events.enabled) return;
    this.cache.onPurged((request, result) => {
      void this.bus.publish({
        topic: 'ops',
        type: 'cache.purged',
        data: {
          ...request,
          ...result,
          app: this.app,
          instance: this.bus.source,
          // The name other instances' acknowledgements use for this one.
          cacheInstance: result.instance,
        },
      });
    });
    for (const s of this.registry.snapshot()) this.states.set(s.service, s.state);
    const every = (ms: number, fn: () => unknown): void => {
      const timer = setInterval(() => void fn(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(CIRCUIT_POLL_MS, () => this.checkCircuits());
    every(this.config.events.reportMs, () => this.report());
    every(MINUTE_MS, () => this.publishMinute());
    void this.report();
    void this.countsNow().then((c) => (this.lastCounts = c));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.fleet.remove(this.bus.source);
  }

  /** This instance's report. */
  localReport(): InstanceReport {
    return {
      instance: this.bus.source,
      app: this.app,
      reportedAt: new Date().toISOString(),
      enabled: this.registry.enabled,
      services: this.registry.snapshot(),
      ...(this.readiness === undefined ? {} : { readiness: this.readiness }),
    };
  }

  /** Every instance that reported within 3 periods, or this one alone without Redis. */
  async fleetReports(): Promise<FleetReports> {
    const instances = await this.fleet.instances();
    if (instances === undefined) return { shared: false, instances: [this.localReport()] };
    // This instance's own state is always current, whatever its last report said.
    const others = instances.filter((i) => i.instance !== this.bus.source);
    return { shared: true, instances: [this.localReport(), ...others] };
  }

  private async report(): Promise<void> {
    try {
      const status = (await this.readinessService.report()).status;
      if (this.readiness !== undefined && status !== this.readiness) {
        await this.bus.publish({
          topic: 'ops',
          type: 'readiness.changed',
          data: { app: this.app, instance: this.bus.source, from: this.readiness, to: status },
        });
      }
      this.readiness = status;
    } catch {
      // Readiness itself failed: the next period tries again.
    }
    await this.fleet.report(this.localReport());
  }

  private async checkCircuits(): Promise<void> {
    let changed = false;
    for (const snapshot of this.registry.snapshot()) {
      const before = this.states.get(snapshot.service);
      if (before === snapshot.state) continue;
      this.states.set(snapshot.service, snapshot.state);
      if (before === undefined) continue;
      changed = true;
      await this.bus.publish({
        topic: 'ops',
        type: 'circuit.changed',
        data: {
          app: this.app,
          instance: this.bus.source,
          service: snapshot.service,
          from: before,
          to: snapshot.state,
        },
      });
    }
    // The fleet view follows at once, not at the next period.
    if (changed) await this.fleet.report(this.localReport());
  }

  private async publishMinute(): Promise<void> {
    const now = await this.countsNow();
    const delta = {
      requests: now.requests - this.lastCounts.requests,
      errors5xx: now.errors - this.lastCounts.errors,
      rateLimited: now.rateLimited - this.lastCounts.rateLimited,
    };
    this.lastCounts = now;
    await this.bus.publish({
      topic: 'ops',
      type: 'traffic.minute',
      data: { app: this.app, instance: this.bus.source, ...delta },
    });
  }

  /** Totals of this app's answers since start, from its own request counter. */
  private async countsNow(): Promise<{ errors: number; rateLimited: number; requests: number }> {
    const metric = register.getSingleMetric('bff_http_requests_total');
    const counts = { errors: 0, rateLimited: 0, requests: 0 };
    if (metric === undefined) return counts;
    for (const value of (await metric.get()).values) {
      if (value.labels.app !== this.app) continue;
      const status = Number(value.labels.status);
      counts.requests += value.value;
      if (status >= 500) counts.errors += value.value;
      if (status === 429) counts.rateLimited += value.value;
    }
    return counts;
  }
}
