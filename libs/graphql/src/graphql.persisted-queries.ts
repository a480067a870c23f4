import { createHash } from 'node:crypto';
import { type Redis, closeRedisClient, createRedisClient, hashTag } from '@app/redis';
import { LRUCache } from 'lru-cache';

/** The part of an ioredis client the store uses (unit tests pass a fake). */
export type PersistedQueryRedis = Pick<Redis, 'get' | 'set' | 'status' | 'disconnect'>;

export interface PersistedQueryStoreOptions {
  /** Queries kept in this instance's LRU (`GRAPHQL_PERSISTED_QUERIES_MAX`). */
  maxEntries: number;
  /** Lifetime of a registration, in memory and in Redis (`GRAPHQL_PERSISTED_QUERIES_TTL_SECONDS`). */
  ttlSeconds: number;
  /** Shared Redis (`REDIS_URL`); none = this instance's LRU only. */
  redisUrl?: string;
  /** Command timeout of the Redis client (`REDIS_COMMAND_TIMEOUT_MS`). */
  commandTimeoutMs?: number;
  /** Prefix of every key (tests use their own). */
  keyPrefix?: string;
  /** A client to use instead of connecting (tests). */
  client?: PersistedQueryRedis;
  /** After a failed Redis call, lookups skip Redis this long (a frozen Redis costs one timeout). */
  backoffMs?: number;
  now?: () => number;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Automatic persisted queries (Apollo APQ) as mercurius' `persistedQueryProvider`: sha256 -> query
 * text, in a bounded LRU with a TTL, and with Redis in `<prefix>{<sha256>}` keys (same TTL), so a
 * query registered on one instance is served by every other. Each registration costs a full,
 * rate-limited execution of a document of at most `GRAPHQL_MAX_DOCUMENT_BYTES`, and expires: Redis
 * holds at most what callers can register in a TTL. Redis is never on the critical path: a failed
 * or slow lookup answers "not found", and APQ clients then send the text again (fail-open).
 */
export class PersistedQueryStore {
  private readonly local: LRUCache<string, string>;
  private readonly client: PersistedQueryRedis | undefined;
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly backoffMs: number;
  private readonly now: () => number;
  private skipUntil = 0;

  constructor(options: PersistedQueryStoreOptions) {
    this.ttlSeconds = options.ttlSeconds;
    this.local = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 });
    this.prefix = options.keyPrefix ?? 'bff:gql:apq:';
    this.backoffMs = options.backoffMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.client =
      options.client ??
      (options.redisUrl === undefined
        ? undefined
        : createRedisClient({
            url: options.redisUrl,
            use: 'persisted-queries',
            commandTimeoutMs: options.commandTimeoutMs ?? 250,
          }));
  }

  /** True when registrations are shared through Redis. */
  get shared(): boolean {
    return this.client !== undefined;
  }

  /** The key of a hash: the hash tag keeps any command on one query's keys in one cluster slot. */
  keyOf(hash: string): string {
    return `${this.prefix}${hashTag(hash)}`;
  }

  /** The query registered under `hash`, from this instance or Redis; undefined if unknown. */
  async get(hash: string): Promise<string | undefined> {
    // Anything but a sha256 in hex never reaches Redis.
    if (!SHA256.test(hash)) return undefined;
    const known = this.local.get(hash);
    if (known !== undefined) return known;
    const client = this.usableClient();
    if (client === undefined) return undefined;
    try {
      const query = await client.get(this.keyOf(hash));
      // Redis could only hold what matched its hash, but a check costs little against a poisoned key.
      if (query === null || sha256(query) !== hash) return undefined;
      this.local.set(hash, query);
      return query;
    } catch {
      this.failed();
      return undefined;
    }
  }

  /** Registers `query` under its hash (mercurius calls this after a successful execution). */
  async save(hash: string, query: string): Promise<void> {
    this.local.set(hash, query);
    const client = this.usableClient();
    if (client === undefined) return;
    try {
      await client.set(this.keyOf(hash), query, 'EX', this.ttlSeconds);
    } catch {
      this.failed();
    }
  }

  /** mercurius' provider: APQ (`extensions.persistedQuery`, version 1) on this store. */
  provider() {
    type Body = { query?: string; extensions?: { persistedQuery?: unknown } };
    const persisted = (body: Body) =>
      body.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
    return {
      isPersistedQuery: (body: Body) => !body.query && persisted(body) !== undefined,
      isPersistedQueryRetry: (body: Body) => !!body.query && persisted(body) !== undefined,
      getHash: (body: Body) => {
        const p = persisted(body);
        return p?.version === 1 && typeof p.sha256Hash === 'string' ? p.sha256Hash : false;
      },
      getQueryFromHash: (hash: string) => this.get(hash),
      getHashForQuery: sha256,
      saveQuery: (hash: string, query: string) => this.save(hash, query),
      notFoundError: 'PersistedQueryNotFound',
      notSupportedError: 'PersistedQueryNotSupported',
      mismatchError: 'provided sha does not match query',
    };
  }

  onModuleDestroy(): void {
    if (this.client !== undefined) closeRedisClient(this.client);
  }

  /** The Redis client when it can be asked now (connected, not in a back-off). */
  private usableClient(): PersistedQueryRedis | undefined {
    const ready = this.client?.status === 'ready' && this.now() >= this.skipUntil;
    return ready ? this.client : undefined;
  }

  /** The client factory logs the outage (with this use's policy); this only skips Redis a while. */
  private failed(): void {
    this.skipUntil = this.now() + this.backoffMs;
  }
}

function sha256(query: string): string {
  return createHash('sha256').update(query, 'utf8').digest('hex');
}
