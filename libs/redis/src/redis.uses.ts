import type { BffAppName, BffConfig } from '@app/config';

/** What a use of Redis does while Redis is down or slower than its command timeout. */
export type RedisFailurePolicy = 'fail-open' | 'fail-closed';

/** Every use of Redis in the project; each has its own client from {@link createRedisClient}. */
export type RedisUse =
  | 'rate-limits'
  | 'cache'
  | 'cache-purge'
  | 'sessions'
  | 'api-keys'
  | 'api-key-revocations'
  | 'revocations'
  | 'revocation-events'
  | 'audit-stream'
  | 'events'
  | 'persisted-queries'
  | 'readiness';

/** The documented failure policy of each use (README, "Redis failures"); logged on an outage. */
export const REDIS_FAILURE_POLICIES: Readonly<
  Record<RedisUse, { readonly policy: RedisFailurePolicy; readonly effect: string }>
> = {
  'rate-limits': {
    policy: 'fail-open',
    effect: 'per-instance limits (routes that fail closed answer 503)',
  },
  cache: { policy: 'fail-open', effect: 'cache level 2 skipped (misses, writes lost)' },
  'cache-purge': {
    policy: 'fail-open',
    effect: 'purges reach this instance only; others keep entries until they expire',
  },
  sessions: { policy: 'fail-closed', effect: 'cookie requests, login and logout answer 503' },
  'api-keys': { policy: 'fail-closed', effect: 'API keys not in the lookup cache answer 503' },
  'api-key-revocations': {
    policy: 'fail-open',
    effect: 'revocations wait for the lookup cache lifetime',
  },
  revocations: {
    policy: 'fail-open',
    effect:
      'the last synced revocation list stays in force; new revocations apply here and are retried',
  },
  'revocation-events': {
    policy: 'fail-open',
    effect: 'revocations made elsewhere arrive with the next sync',
  },
  'audit-stream': { policy: 'fail-open', effect: 'audit records go to the file only' },
  events: {
    policy: 'fail-open',
    effect: "live-feed events reach this instance's clients only; fleet views say local only",
  },
  'persisted-queries': {
    policy: 'fail-open',
    effect:
      'GraphQL persisted queries registered elsewhere are not found; clients send the text again',
  },
  readiness: { policy: 'fail-open', effect: 'reported by /health/ready' },
};

/** A use of Redis by one app, with the policy its configuration gives it. */
export interface AppRedisUse {
  readonly use: RedisUse;
  readonly policy: RedisFailurePolicy;
}

/**
 * The uses of Redis an app has under `config` (readiness excepted): what a Redis outage does to
 * it. Sessions are the web BFF's and the audit stream the admin BFF's, as their modules are.
 */
export function redisUsesOf(config: BffConfig, app: BffAppName): AppRedisUse[] {
  if (config.redis.url === undefined) return [];
  const uses: AppRedisUse[] = [];
  const add = (use: RedisUse, policy = REDIS_FAILURE_POLICIES[use].policy): void => {
    uses.push({ use, policy });
  };
  const { rateLimit, cache, session, auth } = config;
  if (rateLimit.enabled && rateLimit.store === 'redis') {
    add('rate-limits', rateLimit.redisFailureMode === 'closed' ? 'fail-closed' : 'fail-open');
  }
  if (cache.enabled && cache.redisUrl !== undefined) {
    add('cache');
    add('cache-purge');
  }
  if (app === 'web-bff' && session.enabled && session.store === 'redis') add('sessions');
  if (auth.apiKeys.store === 'redis') {
    add('api-keys');
    add('api-key-revocations');
  }
  if (auth.revocation.store === 'redis') {
    add('revocations');
    add('revocation-events');
  }
  if (app === 'admin-bff' && auth.audit.redisStream !== undefined) add('audit-stream');
  if (config.events.enabled && config.events.redisUrl !== undefined) add('events');
  const { graphql } = config;
  if (graphql.enabled && graphql.persistedQueriesRedisUrl !== undefined && app !== 'admin-bff') {
    add('persisted-queries');
  }
  return uses;
}
