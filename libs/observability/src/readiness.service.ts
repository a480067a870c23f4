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
import Redis from 'ioredis';
import {
  DEFAULT_CRITICAL_SERVICES,
  OBSERVABILITY_OPTIONS,
  type ObservabilityModuleOptions,
} from './observability.options';

/** Body of `/health/ready`; `checks` holds one entry per dependency (`up`/`down`, no internals). */
export interface ReadinessReport {
  status: 'ok' | 'error' | 'draining';
  checks?: HealthCheckResult['details'];
}

/** Thrown inside checks: short fixed messages, so no address or stack reaches the probe's body. */
class CheckFailed extends Error {}

/**
 * Readiness of the app: not draining, Redis answering PING (when configured) and every critical
 * downstream answering its `/health` with a 2xx, each within `HEALTH_TIMEOUT_MS`.
 */
@Injectable()
export class ReadinessService implements OnModuleInit, OnApplicationShutdown {
  private redis: Redis | undefined;
  private readonly checks: HealthIndicatorFunction[] = [];
  private readonly timeoutMs: number;
  private readonly cacheMs: number;

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
    const url = this.config.redisUrl;
    if (url !== undefined) {
      const redis = new Redis(url, {
        lazyConnect: true,
        // A command while disconnected fails at once instead of waiting in a queue.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: this.timeoutMs,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      });
      // Failures are reported by the check; the client reconnects in the background.
      redis.on('error', () => undefined);
      redis.connect().catch(() => undefined);
      this.redis = redis;
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
    if (this.lifecycle.draining) return { status: 'draining' };
    try {
      const result = await this.health.check(this.checks);
      return { status: 'ok', checks: result.details };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { status: 'error', checks: (error.getResponse() as HealthCheckResult).details };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis?.disconnect();
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
