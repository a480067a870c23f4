import type { ApiKeysConfig, RedisConfig } from '@app/config';
import type { Tier } from '@app/core';
import {
  type Redis,
  closeRedisClient,
  createRedisClient,
  subscribeOnReady,
  whenReady,
} from '@app/redis';
import { Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { type FSWatcher, mkdirSync, readFileSync, watch } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** One API key as stored: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  /** Short public handle (first 12 hex digits of the hash), used to revoke. */
  readonly id: string;
  /** SHA-256 (hex) of the key. A key has 256 random bits, so a fast hash is the right tool. */
  readonly hash: string;
  readonly client: string;
  readonly tier: Tier;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly revokedAt?: string;
}

/** Looks keys up by hash; implementations pick up revocations without a restart. */
export interface ApiKeyStore {
  find(hash: string): Promise<ApiKeyRecord | undefined>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** What the `npm run apikey` CLI needs on top of lookups. */
export interface ApiKeyAdmin {
  add(record: ApiKeyRecord): Promise<void>;
  /** Marks matching keys revoked (kept for the record) and returns them. */
  revoke(match: (record: ApiKeyRecord) => boolean): Promise<ApiKeyRecord[]>;
  list(): Promise<ApiKeyRecord[]>;
  close(): Promise<void>;
}

export const API_KEY_PREFIX = 'bffk_';
export const API_KEY_FORMAT = /^bffk_[A-Za-z0-9_-]{43}$/;
export const REDIS_API_KEYS_HASH = 'bff:apikeys';
export const REDIS_API_KEYS_CHANNEL = 'bff:apikeys:changed';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: 256 random bits, prefixed so leaked keys are easy to grep for. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function newApiKeyRecord(
  key: string,
  fields: { client: string; tier: Tier; roles?: string[]; scopes?: string[] },
): ApiKeyRecord {
  const hash = hashApiKey(key);
  return {
    id: hash.slice(0, 12),
    hash,
    client: fields.client,
    tier: fields.tier,
    roles: fields.roles ?? [],
    scopes: fields.scopes ?? [],
    createdAt: new Date().toISOString(),
  };
}

interface KeysFile {
  keys: ApiKeyRecord[];
}

function parseKeysFile(text: string): ApiKeyRecord[] {
  const parsed = JSON.parse(text) as Partial<KeysFile>;
  if (!Array.isArray(parsed.keys)) throw new Error('expected {"keys": [...]}');
  return parsed.keys.filter(
    (k) =>
      typeof k?.hash === 'string' && /^[0-9a-f]{64}$/.test(k.hash) && typeof k.client === 'string',
  );
}

/**
 * Keys in a JSON file, held in memory and reloaded when the file changes (directory watch, so the
 * CLI's atomic rename is seen). A file that does not parse leaves the previous keys in force.
 */
export class FileApiKeyStore implements ApiKeyStore, ApiKeyAdmin {
  private readonly logger = new Logger('ApiKeys');
  private byHash = new Map<string, ApiKeyRecord>();
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(private readonly path: string) {}

  async start(): Promise<void> {
    this.load(this.readSync());
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file !== name) return;
        // Editors and renames fire several events: reload once they settle.
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.reload(), 20);
      });
      this.watcher.unref();
    } catch (error) {
      this.logger.warn(`not watching ${this.path}: ${(error as Error).message}`);
    }
  }

  async find(hash: string): Promise<ApiKeyRecord | undefined> {
    return this.byHash.get(hash);
  }

  async add(record: ApiKeyRecord): Promise<void> {
    await this.update((keys) => [...keys, record]);
  }

  async revoke(match: (record: ApiKeyRecord) => boolean): Promise<ApiKeyRecord[]> {
    const revoked: ApiKeyRecord[] = [];
    const at = new Date().toISOString();
    await this.update((keys) =>
      keys.map((k) => {
        if (k.revokedAt !== undefined || !match(k)) return k;
        const r = { ...k, revokedAt: at };
        revoked.push(r);
        return r;
      }),
    );
    return revoked;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.readKeys(await this.readText());
  }

  async close(): Promise<void> {
    clearTimeout(this.reloadTimer);
    this.watcher?.close();
  }

  private async reload(): Promise<void> {
    try {
      this.load(parseKeysFile((await this.readText()) ?? '{"keys":[]}'));
    } catch (error) {
      this.logger.warn(`keeping the previous API keys: ${this.path}: ${(error as Error).message}`);
    }
  }

  private load(keys: ApiKeyRecord[]): void {
    const map = new Map<string, ApiKeyRecord>();
    for (const k of keys) if (k.revokedAt === undefined) map.set(k.hash, k);
    this.byHash = map;
  }

  private readSync(): ApiKeyRecord[] {
    try {
      return parseKeysFile(readFileSync(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn(`no API keys loaded from ${this.path}: ${(error as Error).message}`);
      }
      return [];
    }
  }

  private async readText(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private readKeys(text: string | undefined): ApiKeyRecord[] {
    return text === undefined ? [] : parseKeysFile(text);
  }

  private async update(change: (keys: ApiKeyRecord[]) => ApiKeyRecord[]): Promise<void> {
    const keys = change(this.readKeys(await this.readText()));
    mkdirSync(dirname(this.path), { recursive: true });
    // Write then rename: a running BFF never reads a half-written file.
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
    this.load(keys);
  }
}

interface CacheEntry {
  record: ApiKeyRecord | undefined;
  until: number;
}

const CACHE_LIMIT = 10_000;

/** Where the Redis store connects, and its command timeout (`REDIS_COMMAND_TIMEOUT_MS`). */
export type RedisApiKeyStoreOptions = Pick<RedisConfig, 'commandTimeoutMs'> & { url: string };

/**
 * Keys in the Redis hash `bff:apikeys` (hash -> JSON record), shared by every instance. Lookups are
 * cached in memory; `bff:apikeys:changed` (published by the CLI) evicts a key everywhere at once,
 * and the cache lifetime is only a backstop for a missed message.
 *
 * Fails closed: a lookup that is not cached and fails (Redis down: at once; Redis frozen: after
 * the command timeout) rejects, and the guard answers 503. Revocation messages fail open: while
 * the subscription is down, a revoked key lives until its cache entry expires.
 */
export class RedisApiKeyStore implements ApiKeyStore, ApiKeyAdmin {
  private readonly logger = new Logger('ApiKeys');
  private readonly redis: Redis;
  private subscriber: Redis | undefined;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly options: RedisApiKeyStoreOptions,
    private readonly cacheMs: number,
  ) {
    this.redis = createRedisClient({
      url: options.url,
      use: 'api-keys',
      commandTimeoutMs: options.commandTimeoutMs,
    });
  }

  async start(): Promise<void> {
    const subscriber = createRedisClient({
      url: this.options.url,
      use: 'api-key-revocations',
      commandTimeoutMs: this.options.commandTimeoutMs,
      subscriber: true,
    });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, hash: string) => {
      if (hash === '*') this.cache.clear();
      else this.cache.delete(hash);
    });
    // Subscribed on every (re)connection; a message missed meanwhile waits for the cache lifetime.
    subscribeOnReady(subscriber, [REDIS_API_KEYS_CHANNEL], (error) =>
      this.logger.warn(`API key revocations will wait for the cache lifetime: ${error.message}`),
    );
  }

  async find(hash: string): Promise<ApiKeyRecord | undefined> {
    const now = performance.now();
    const cached = this.cache.get(hash);
    if (cached !== undefined && cached.until > now) return cached.record;
    const raw = await this.redis.hget(REDIS_API_KEYS_HASH, hash);
    const parsed = raw === null ? undefined : (JSON.parse(raw) as ApiKeyRecord);
    const record = parsed?.revokedAt === undefined ? parsed : undefined;
    if (this.cacheMs > 0) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(hash, { record, until: now + this.cacheMs });
    }
    return record;
  }

  async add(record: ApiKeyRecord): Promise<void> {
    await this.connected();
    await this.redis.hset(REDIS_API_KEYS_HASH, record.hash, JSON.stringify(record));
    // Evicts a cached "unknown key" answer.
    await this.redis.publish(REDIS_API_KEYS_CHANNEL, record.hash);
  }

  async revoke(match: (record: ApiKeyRecord) => boolean): Promise<ApiKeyRecord[]> {
    const at = new Date().toISOString();
    const revoked: ApiKeyRecord[] = [];
    for (const record of await this.list()) {
      if (record.revokedAt !== undefined || !match(record)) continue;
      const r = { ...record, revokedAt: at };
      await this.redis.hset(REDIS_API_KEYS_HASH, r.hash, JSON.stringify(r));
      await this.redis.publish(REDIS_API_KEYS_CHANNEL, r.hash);
      revoked.push(r);
    }
    return revoked;
  }

  async list(): Promise<ApiKeyRecord[]> {
    await this.connected();
    const all = await this.redis.hgetall(REDIS_API_KEYS_HASH);
    return Object.values(all).map((v) => JSON.parse(v) as ApiKeyRecord);
  }

  async close(): Promise<void> {
    if (this.subscriber !== undefined) closeRedisClient(this.subscriber);
    closeRedisClient(this.redis);
  }

  /** The CLI runs right after start-up: it waits for the connection that lookups never wait for. */
  private connected(): Promise<void> {
    return whenReady(this.redis, Math.max(2_000, this.options.commandTimeoutMs));
  }
}

/** The store the configuration names. */
export function createApiKeyStore(
  config: ApiKeysConfig,
  redis: RedisConfig,
): ApiKeyStore & ApiKeyAdmin {
  const { url, commandTimeoutMs } = redis;
  if (config.store === 'redis' && url !== undefined) {
    return new RedisApiKeyStore({ url, commandTimeoutMs }, config.cacheMs);
  }
  return new FileApiKeyStore(config.file);
}
