import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { closeRedisClient, createRedisClient } from '@app/redis';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { RateLimitStoreUnavailableError } from './rate-limit.errors';
import { TOKEN_BUCKET_LUA } from './rate-limit.lua';
import { rateLimitMetrics } from './rate-limit.metrics';
import type { RateLimitStore, ThrottlerStorageRecord } from './rate-limit.store';
import { ThrottlerStorageAdapter } from './rate-limit.store';
import type { BucketPolicy, RateLimitDecision } from './throttling.types';

/** The part of an ioredis client the store uses (tests pass a fake). */
export interface RedisScriptClient {
  readonly status: string;
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  disconnect(): void;
}

export interface RedisRateLimitStoreOptions {
  /** `redis://` URL; ignored when `client` is given. */
  url?: string;
  /** Connect and command timeout in ms; a slower Redis counts as down. */
  timeoutMs: number;
  /** Prefix of every key. */
  keyPrefix: string;
  /** Bound of the local fallback limiter used while Redis is down (fail-open). */
  fallbackMaxKeys: number;
  /** After a failed or timed-out call, requests skip Redis for this long before probing again. */
  probeIntervalMs?: number;
  client?: RedisScriptClient;
  now?: () => number;
  logger?: Pick<Logger, 'warn' | 'log'>;
}

const VIOLATED = [undefined, 'burst', 'sustained', 'daily'] as const;

/**
 * Shared store: one EVALSHA per check (falls back to EVAL when Redis lost its script cache),
 * exact across any number of instances. The client has no offline queue and short timeouts, so a
 * dead or hung Redis costs a request at most one timeout; the route's failure mode then applies:
 * `open` answers from a local limiter, `closed` refuses with 503. The outage is logged once, and
 * ioredis reconnecting ends it without intervention.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly kind = 'redis' as const;
  private readonly client: RedisScriptClient;
  private readonly sha = createHash('sha1').update(TOKEN_BUCKET_LUA).digest('hex');
  private readonly prefix: string;
  private readonly local: MemoryRateLimitStore;
  private readonly adapter = new ThrottlerStorageAdapter(this);
  private readonly now: () => number;
  private readonly probeIntervalMs: number;
  private readonly logger: Pick<Logger, 'warn' | 'log'>;
  private skipUntil = 0;
  private down = false;

  constructor(options: RedisRateLimitStoreOptions) {
    this.prefix = options.keyPrefix;
    this.now = options.now ?? Date.now;
    this.probeIntervalMs = options.probeIntervalMs ?? 1_000;
    this.logger = options.logger ?? new Logger('RateLimit');
    this.local = new MemoryRateLimitStore({ maxKeys: options.fallbackMaxKeys, now: this.now });
    this.client = options.client ?? this.connect(options);
    this.client.on('error', (error) => this.markDown(error));
  }

  async consume(key: string, policy: BucketPolicy, cost: number): Promise<RateLimitDecision> {
    if (this.client.status !== 'ready' || this.now() < this.skipUntil) {
      return this.unavailable(key, policy, cost, undefined);
    }
    const args = [this.prefix + key, policy.burst, policy.burstWindowMs, policy.sustained];
    args.push(policy.sustainedWindowMs, policy.dailyQuota, cost);
    let reply: unknown;
    try {
      reply = await this.client.evalsha(this.sha, 1, ...args).catch((error: unknown) => {
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
          return this.client.eval(TOKEN_BUCKET_LUA, 1, ...args);
        }
        throw error;
      });
    } catch (error) {
      this.skipUntil = this.now() + this.probeIntervalMs;
      return this.unavailable(key, policy, cost, error);
    }
    if (this.down) {
      this.down = false;
      this.logger.log('Redis rate-limit store is back: limits are shared again');
    }
    const r = reply as number[];
    return {
      allowed: r[0] === 1,
      burstRemaining: r[1],
      burstResetMs: r[2],
      sustainedRemaining: r[3],
      sustainedResetMs: r[4],
      dailyRemaining: r[5],
      dailyResetMs: r[6],
      retryAfterMs: r[7],
      violated: VIOLATED[r[8]],
      overCapacity: r[9] === 1,
      shared: true,
    };
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return this.adapter.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** True between the first failure of an outage and the first success after it. */
  get isDown(): boolean {
    return this.down;
  }

  async onModuleDestroy(): Promise<void> {
    // Never waits on Redis: a frozen one would hold the shutdown.
    closeRedisClient(this.client);
  }

  /** The project's Redis client (no offline queue, command timeout, reconnects by itself). */
  private connect(options: RedisRateLimitStoreOptions): RedisScriptClient {
    return createRedisClient({
      url: options.url ?? 'redis://127.0.0.1:6379',
      use: 'rate-limits',
      commandTimeoutMs: options.timeoutMs,
      // This store logs its outages itself (with what they mean for limits).
      logOutages: false,
    });
  }

  private unavailable(
    key: string,
    policy: BucketPolicy,
    cost: number,
    error: unknown,
  ): RateLimitDecision {
    // A connection still being set up (start-up) is not an outage; refused connections and
    // failed calls are, and ioredis' error events report the former.
    const status = this.client.status;
    if (error !== undefined || (status !== 'connecting' && status !== 'connect')) {
      this.markDown(error);
    }
    rateLimitMetrics.storeErrors.inc({ mode: policy.failureMode });
    if (policy.failureMode === 'closed') throw new RateLimitStoreUnavailableError();
    return this.local.consumeSync(key, policy, cost);
  }

  private markDown(error: unknown): void {
    if (this.down) return;
    this.down = true;
    const reason = error instanceof Error ? error.message : 'not connected';
    this.logger.warn(
      `Redis rate-limit store unavailable (${reason}): open routes use per-instance limits, closed routes answer 503, until Redis is back`,
    );
  }
}
