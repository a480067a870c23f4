import type { EnvReader } from './env-reader';

/**
 * The shared Redis (`REDIS_URL`) and what every client of it gets from the one client factory
 * (`@app/redis`): a command timeout, no offline queue, background reconnects.
 */
export interface RedisConfig {
  /** `REDIS_URL`: undefined = no Redis, every store stays in memory. */
  readonly url: string | undefined;
  /**
   * `REDIS_COMMAND_TIMEOUT_MS`: longest wait for one Redis command of sessions, API keys and the
   * audit stream; past it the command fails and the use's failure policy applies. Rate limits
   * (`RATE_LIMIT_REDIS_TIMEOUT_MS`) and the cache (`CACHE_REDIS_TIMEOUT_MS`) have their own.
   */
  readonly commandTimeoutMs: number;
}

/** Reads the Redis section; `url` is the already validated first `REDIS_URL`. */
export function readRedisConfig(r: EnvReader, url: string | undefined): RedisConfig {
  return {
    url,
    commandTimeoutMs: r.int('REDIS_COMMAND_TIMEOUT_MS', 250, 5, 60_000),
  };
}
