import { randomBytes } from 'node:crypto';
import type { RedisConfig } from '@app/config';
import { type Redis, closeRedisClient, createRedisClient } from '@app/redis';
import { SessionBackendUnavailableError } from './session.errors';
import type { LockRelease, SessionStore } from './session.store';

// Deletes the lock only if it still holds our token (it may have expired and been re-taken).
const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * Sessions in Redis, shared by every web-bff instance; values expire with Redis TTLs. Fails
 * closed: a command that fails (Redis down) or gets no answer within `commandTimeoutMs` (Redis
 * frozen) is a {@link SessionBackendUnavailableError} (503), never a wait.
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;

  constructor(
    redis: Pick<RedisConfig, 'commandTimeoutMs'> & { url: string },
    private readonly prefix = 'bff:session:',
  ) {
    this.redis = createRedisClient({
      url: redis.url,
      use: 'sessions',
      commandTimeoutMs: redis.commandTimeoutMs,
    });
  }

  async get<T extends object>(key: string): Promise<T | undefined> {
    const raw = await this.run(() => this.redis.get(this.prefix + key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: object, ttlMs: number): Promise<void> {
    await this.run(() =>
      this.redis.set(this.prefix + key, JSON.stringify(value), 'PX', Math.max(1, Math.ceil(ttlMs))),
    );
  }

  async take<T extends object>(key: string): Promise<T | undefined> {
    const raw = await this.run(() => this.redis.getdel(this.prefix + key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async delete(key: string): Promise<void> {
    await this.run(() => this.redis.del(this.prefix + key));
  }

  async lock(key: string, ttlMs: number): Promise<LockRelease | undefined> {
    const lockKey = `${this.prefix}lock:${key}`;
    const token = randomBytes(12).toString('base64url');
    const ok = await this.run(() => this.redis.set(lockKey, token, 'PX', ttlMs, 'NX'));
    if (ok !== 'OK') return undefined;
    return async () => {
      await this.redis.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    closeRedisClient(this.redis);
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new SessionBackendUnavailableError('Session store unavailable', 'redis', {
        cause: error,
      });
    }
  }
}
