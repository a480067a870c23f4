import { isIP } from 'node:net';
import type { EnvReader } from './env-reader';

/** Rate-limited tiers (`internal` is never limited, so it has no limits). */
export type LimitedTier = 'anonymous' | 'standard' | 'premium';

/** The three limits of one tier; a request must fit all of them. */
export interface TierLimits {
  /** Burst bucket: tokens a caller may spend at once; refills fully over the burst window. */
  readonly burst: number;
  /** Sustained bucket: tokens per sustained window (refilled continuously); 0 disables it. */
  readonly sustained: number;
  /** Tokens per UTC day (fixed window, resets at 00:00 UTC); 0 disables it. */
  readonly dailyQuota: number;
}

/** What a route does when the shared (Redis) store is down or hung. */
export type RateLimitFailureMode = 'open' | 'closed';

/** The one client-address header read from trusted proxies (`TRUSTED_PROXY_HEADER`). */
export type TrustedProxyHeader = 'x-forwarded-for' | 'forwarded';

/** Rate-limit section (`RATE_LIMIT_*`, `TRUSTED_PROXIES`, `TRUSTED_PROXY_HEADER`). */
export interface RateLimitConfig {
  /** `RATE_LIMIT_ENABLED`: turns the limiter off entirely (load tests). */
  readonly enabled: boolean;
  /** `RATE_LIMIT_<TIER>_BURST|SUSTAINED|DAILY_QUOTA` per limited tier. */
  readonly tiers: Readonly<Record<LimitedTier, TierLimits>>;
  /** `RATE_LIMIT_BURST_WINDOW_SECONDS`: time in which an empty burst bucket refills completely. */
  readonly burstWindowSeconds: number;
  /** `RATE_LIMIT_SUSTAINED_WINDOW_SECONDS`: window of the sustained bucket. */
  readonly sustainedWindowSeconds: number;
  /** `RATE_LIMIT_STORE`: `redis` (default when `REDIS_URL` is set) shares counters across instances; `memory` is per instance. */
  readonly store: 'memory' | 'redis';
  /** `RATE_LIMIT_REDIS_FAILURE_MODE`: default for routes without their own choice; `open` falls back to local limits, `closed` answers 503. */
  readonly redisFailureMode: RateLimitFailureMode;
  /** `RATE_LIMIT_REDIS_TIMEOUT_MS`: connect and command timeout; a slower Redis counts as down. */
  readonly redisTimeoutMs: number;
  /** `RATE_LIMIT_KEY_PREFIX`: prefix of every Redis key (one prefix per environment or test run). */
  readonly keyPrefix: string;
  /** `RATE_LIMIT_MEMORY_MAX_KEYS`: callers tracked by the in-memory store; the least recently seen are evicted beyond it. */
  readonly memoryMaxKeys: number;
  /** `TRUSTED_PROXIES`: IPs/CIDRs of proxies whose `X-Forwarded-For` is believed; empty = use the socket address. */
  readonly trustedProxies: readonly string[];
  /**
   * `TRUSTED_PROXY_HEADER`: `x-forwarded-for` (default) or `forwarded` (RFC 7239), the header the
   * trusted proxies write; the other is ignored, as a proxy passes on what it does not manage.
   */
  readonly trustedProxyHeader: TrustedProxyHeader;
}

const DEFAULT_TIERS: Readonly<Record<LimitedTier, TierLimits>> = {
  anonymous: { burst: 20, sustained: 300, dailyQuota: 10_000 },
  standard: { burst: 50, sustained: 1_200, dailyQuota: 100_000 },
  premium: { burst: 200, sustained: 6_000, dailyQuota: 1_000_000 },
};

const MAX_TOKENS = 1_000_000_000;

function validCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Reads the rate-limit section; every problem names its variable. */
export function readRateLimitConfig(r: EnvReader, redisUrl: string | undefined): RateLimitConfig {
  const tiers = {} as Record<LimitedTier, TierLimits>;
  for (const tier of Object.keys(DEFAULT_TIERS) as LimitedTier[]) {
    const prefix = `RATE_LIMIT_${tier.toUpperCase()}`;
    const d = DEFAULT_TIERS[tier];
    tiers[tier] = {
      burst: r.int(`${prefix}_BURST`, d.burst, 1, MAX_TOKENS),
      sustained: r.int(`${prefix}_SUSTAINED`, d.sustained, 0, MAX_TOKENS),
      dailyQuota: r.int(`${prefix}_DAILY_QUOTA`, d.dailyQuota, 0, MAX_TOKENS),
    };
  }
  const store = r.oneOf(
    'RATE_LIMIT_STORE',
    ['memory', 'redis'] as const,
    redisUrl === undefined ? 'memory' : 'redis',
  );
  if (store === 'redis' && redisUrl === undefined) {
    r.problems.push('RATE_LIMIT_STORE=redis requires REDIS_URL');
  }
  const trustedProxies = r.list('TRUSTED_PROXIES', []);
  for (const entry of trustedProxies) {
    if (!validCidr(entry)) {
      r.problems.push(
        `TRUSTED_PROXIES must be a comma-separated list of IPs or CIDRs (got "${entry}")`,
      );
    }
  }
  const keyPrefix = r.raw('RATE_LIMIT_KEY_PREFIX') ?? 'bff:rl:';
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(keyPrefix)) {
    r.problems.push(
      `RATE_LIMIT_KEY_PREFIX must be 1-64 letters, digits, ":", ".", "_" or "-" (got "${keyPrefix}")`,
    );
  }
  return {
    enabled: r.bool('RATE_LIMIT_ENABLED', true),
    tiers,
    burstWindowSeconds: r.int('RATE_LIMIT_BURST_WINDOW_SECONDS', 1, 1, 86_400),
    sustainedWindowSeconds: r.int('RATE_LIMIT_SUSTAINED_WINDOW_SECONDS', 60, 1, 86_400),
    store,
    redisFailureMode: r.oneOf('RATE_LIMIT_REDIS_FAILURE_MODE', ['open', 'closed'] as const, 'open'),
    redisTimeoutMs: r.int('RATE_LIMIT_REDIS_TIMEOUT_MS', 100, 5, 10_000),
    keyPrefix,
    memoryMaxKeys: r.int('RATE_LIMIT_MEMORY_MAX_KEYS', 100_000, 100, 10_000_000),
    trustedProxies,
    trustedProxyHeader: r.oneOf(
      'TRUSTED_PROXY_HEADER',
      ['x-forwarded-for', 'forwarded'] as const,
      'x-forwarded-for',
    ),
  };
}
