import { BffConfig, type DownstreamServiceConfig } from '@app/config';
import { BffLifecycle } from '@app/core';
import { DownstreamClient } from '@app/downstream';
import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { type Redis, closeRedisClient, createRedisClient, redisUsesOf } from '@app/redis';
import {
  DEFAULT_CRITICAL_SERVICES,
  OBSERVABILITY_OPTIONS,
  type ObservabilityModuleOptions,
} from './observability.options';
import { getOrCreateGauge } from './metrics.registry';

/**
 * Body of `/health/ready`; `checks` holds one entry per dependency (`up`/`down`, no internals).
 * `degraded` (answered with 200): only dependencies whose every use fails open are down, listed in
 * `degraded`; the instance still serves, so a shared outage must not empty the balancer.
 */
export interface ReadinessReport {
  status: 'ok' | 'degraded' | 'error' | 'draining';
  checks?: HealthCheckResult['details'];
  /** Dependencies that are down but whose every use fails open. */
  degraded?: string[];
}

/** Thrown inside checks: short fixed messages, so no address or stack reaches the probe's body. */
class CheckFailed extends Error {}

/**
 * Readiness of the app: not draining, Redis answering PING (when the app uses it) and every
 * critical downstream answering its `/health` with a 2xx (a gRPC downstream: grpc.health.v1
 * `Check` answering SERVING, which its transport sends for `GET /health`), each within
 * `HEALTH_TIMEOUT_MS`. Redis
 * gates readiness only when one of the app's uses of it fails closed (sessions, uncached API keys,
 * fail-closed rate limits); when every use fails open (rate limits, cache, audit stream), a Redis
 * outage is reported as `degraded` with status 200.
 */
@Injectable()
export class ReadinessService implements OnModuleInit, OnApplicationShutdown {
  private redis: Redis | undefined;
  /** Checks whose failure only degrades the app (every use of the dependency fails open). */
  private readonly optional = new Set<string>();
  private readonly checks: HealthIndicatorFunction[] = [];
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  /** `bff_ready{app}`: the last readiness answer, 1 ready (or degraded), 0 not; flapping alerts on it. */
  private readonly ready: { set(value: number): void };

  constructor(
    @Inject(BffConfig) private readonly config: BffConfig,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityModuleOptions,
    private readonly lifecycle: BffLifecycle,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() private readonly downstream?: DownstreamClient,
  ) {
    this.timeoutMs = config.observability.healthTimeoutMs;
    this.cacheMs = config.observability.healthCacheMs;
    this.ready = getOrCreateGauge(
      'bff_ready',
      'Last readiness answer of the app: 1 ready or degraded, 0 not ready or draining',
      ['app'],
    ).labels(options.app);
  }

  /** Critical downstreams of this app, in the order options > environment > app default. */
  get criticalServices(): readonly string[] {
    const names =
      this.options.criticalServices ??
      this.config.observability.healthCriticalServices ??
      DEFAULT_CRITICAL_SERVICES[this.options.app];
    return names.filter((name) => this.config.downstreams[name] !== undefined);
  }

  onModuleInit(): void {
    const url = this.config.redis.url;
    const uses = redisUsesOf(this.config, this.options.app);
    if (url !== undefined && uses.length > 0) {
      // Failures are reported by the check (not logged); the client reconnects in the background.
      const redis = createRedisClient({
        url,
        use: 'readiness',
        commandTimeoutMs: this.timeoutMs,
        connectTimeoutMs: this.timeoutMs,
        logOutages: false,
      });
      this.redis = redis;
      if (uses.every((u) => u.policy === 'fail-open')) this.optional.add('redis');
      this.checks.push(() => this.attempt('redis', () => this.pingRedis(redis)));
    }
    const downstream = this.downstream;
    if (downstream !== undefined) {
      for (const name of this.criticalServices) {
        const service = this.config.downstreams[name];
        this.checks.push(() =>
          this.attempt(name, (signal) => pingService(downstream, service, signal)),
        );
      }
    }
  }

  async report(): Promise<ReadinessReport> {
    const report = await this.evaluate();
    this.ready.set(report.status === 'ok' || report.status === 'degraded' ? 1 : 0);
    return report;
  }

  private async evaluate(): Promise<ReadinessReport> {
    if (this.lifecycle.draining) return { status: 'draining' };
    try {
      const result = await this.health.check(this.checks);
      return { status: 'ok', checks: result.details };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const checks = (error.getResponse() as HealthCheckResult).details;
      const down = Object.keys(checks).filter((key) => checks[key].status !== 'up');
      if (down.every((key) => this.optional.has(key))) {
        return { status: 'degraded', checks, degraded: down };
      }
      return { status: 'error', checks };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis !== undefined) closeRedisClient(this.redis);
  }

  private attempt(
    key: string,
    fn: (signal: AbortSignal) => Promise<void>,
  ): PromiseLike<HealthIndicatorResult> {
    const attempt = this.indicators
      .check(key)
      .attempt(({ signal }) => fn(signal))
      .withTimeout(this.timeoutMs);
    return this.cacheMs > 0 ? attempt.cacheFor(this.cacheMs) : attempt;
  }

  private async pingRedis(redis: Redis): Promise<void> {
    try {
      await redis.ping();
    } catch {
      throw new CheckFailed('unreachable');
    }
  }
}

/** Straight to the transport: readiness must not trip breakers, retry, or count as traffic. */
async function pingService(
  downstream: DownstreamClient,
  service: DownstreamServiceConfig,
  signal: AbortSignal,
): Promise<void> {
  let status: number;
  try {
    const res = await downstream.transportOf(service.name).send({
      service,
      method: 'GET',
      path: '/health',
      headers: { accept: 'application/json' },
      body: undefined,
      signal,
      callerSignal: signal,
    });
    status = res.status;
  } catch {
    throw new CheckFailed('unreachable');
  }
  if (status < 200 || status > 299) throw new CheckFailed(`answered ${status}`);
}
