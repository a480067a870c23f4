import type { Redis } from '@app/redis';
import type { CircuitSnapshot } from '@app/resilience';

/** What one instance reports about itself (`GET /ops/circuits` lists one per instance). */
export interface InstanceReport {
  /** `<app>@<host>:<pid>:<id>`, the `source` of its events. */
  instance: string;
  app: string;
  /** When it last reported (ISO 8601); reports older than 3 periods are left out. */
  reportedAt: string;
  /** False when `RESILIENCE_ENABLED=false`. */
  enabled: boolean;
  services: CircuitSnapshot[];
  /** Its last readiness status (`ok`, `degraded`, `error`, `draining`). */
  readiness?: string;
}

/** The fleet as known here: shared (Redis) or this instance only. */
export interface FleetReports {
  /** False without Redis (or while it is down): `instances` holds this instance only. */
  shared: boolean;
  instances: InstanceReport[];
}

/**
 * Instance reports in Redis: one key per instance with a TTL (3 report periods), indexed by a
 * sorted set of last report times, so a dead instance drops out by itself.
 */
export class FleetRegistry {
  constructor(
    private readonly redis: Redis | undefined,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
  ) {}

  async report(report: InstanceReport): Promise<boolean> {
    if (this.redis === undefined || this.redis.status !== 'ready') return false;
    try {
      const now = Date.now();
      await this.redis
        .multi()
        .set(this.key(report.instance), JSON.stringify(report), 'PX', this.ttlMs)
        .zadd(this.index(), now, report.instance)
        .zremrangebyscore(this.index(), '-inf', now - this.ttlMs)
        .pexpire(this.index(), this.ttlMs * 2)
        .exec();
      return true;
    } catch {
      return false;
    }
  }

  /** Every live instance's last report, or undefined when Redis cannot say. */
  async instances(): Promise<InstanceReport[] | undefined> {
    if (this.redis === undefined || this.redis.status !== 'ready') return undefined;
    try {
      const names = await this.redis.zrangebyscore(this.index(), Date.now() - this.ttlMs, '+inf');
      if (names.length === 0) return [];
      const values = await this.redis.mget(...names.map((n) => this.key(n)));
      return values
        .filter((v): v is string => v !== null)
        .map((v) => JSON.parse(v) as InstanceReport)
        .sort((a, b) => a.app.localeCompare(b.app) || a.instance.localeCompare(b.instance));
    } catch {
      return undefined;
    }
  }

  async remove(instance: string): Promise<void> {
    if (this.redis === undefined || this.redis.status !== 'ready') return;
    await this.redis
      .multi()
      .del(this.key(instance))
      .zrem(this.index(), instance)
      .exec()
      .catch(() => undefined);
  }

  private key(instance: string): string {
    return `${this.keyPrefix}instance:${instance}`;
  }

  private index(): string {
    return `${this.keyPrefix}instances`;
  }
}
