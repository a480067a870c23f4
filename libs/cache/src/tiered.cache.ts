import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { CacheConfig } from '@app/config';
import type { Keyv } from 'keyv';
import type { CacheEntry, StoredValue, VaryMarker } from './cache.entry';
import { lifetimeMs } from './cache.entry';
import { variantKey } from './cache.keys';
import { BFF_CACHE_CONFIG } from './cache.tokens';
import { LruStore, type KeyvRecord } from './lru.store';
import { RedisStore, type PurgeMessage } from './redis.store';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** How long an operator purge waits for the other instances' acknowledgements. */
const PURGE_ACK_WAIT_MS = 1_000;

/** What a purge removed. */
export interface PurgeResult {
  /** Entries dropped from this instance's memory. */
  memory: number;
  /** Entries dropped from Redis (0 without Redis). */
  redis: number;
  /** Whether the other instances were told (Redis pub/sub). */
  broadcast: boolean;
  /**
   * `fleet`: every instance subscribed to purges was told and `acknowledged` lists those that
   * applied it within `PURGE_ACK_WAIT_MS` (`expected` of them); `local`: this instance only.
   */
  scope: 'fleet' | 'local';
  /** This instance's name, as it appears in other instances' acknowledgements. */
  instance: string;
  acknowledged: string[];
  /** Other instances subscribed when the purge was published. */
  expected: number;
}

export interface PurgeRequest {
  prefix?: string;
  tag?: string;
}

/**
 * The two cache levels behind one API, on top of the cache-manager `Cache` (whose stores are the
 * Keyv-wrapped {@link LruStore} and, with Redis, {@link RedisStore}). cache-manager's own `get`/`set`
 * are not used on the request path: they neither copy level 2 hits into level 1 nor leave a slow
 * level 2 out of the caller's way, both of which a request cannot do without.
 */
@Injectable()
export class TieredCache implements OnModuleInit {
  readonly instanceId = randomUUID();
  /** Readable name in purge acknowledgements: host, process and this cache. */
  readonly instanceName = `${hostname()}:${process.pid}:${this.instanceId.slice(0, 8)}`;
  readonly l1: LruStore;
  readonly l2: RedisStore | undefined;
  private readonly l1Keyv: Keyv;
  private readonly l2Keyv: Keyv | undefined;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly logger = new Logger('TieredCache');
  private readonly purgeListeners: ((request: PurgeRequest, result: PurgeResult) => void)[] = [];

  constructor(
    @Inject(CACHE_MANAGER) manager: Cache,
    @Inject(BFF_CACHE_CONFIG) readonly config: CacheConfig,
  ) {
    const [l1, l2] = manager.stores as Keyv[];
    this.l1Keyv = l1;
    this.l1 = l1.store as LruStore;
    this.l2Keyv = l2;
    this.l2 = l2?.store as RedisStore | undefined;
  }

  onModuleInit(): void {
    this.l2?.onPurge((message: PurgeMessage) => {
      if (message.origin === this.instanceId) return;
      if (typeof message.prefix === 'string') this.l1.deletePrefix(message.prefix);
      if (typeof message.tag === 'string') this.l1.deleteTag(message.tag);
      if (Array.isArray(message.keys)) {
        for (const key of message.keys) if (typeof key === 'string') void this.l1.delete(key);
      }
      if (typeof message.id === 'string') void this.l2?.ackPurge(message.id, this.instanceName);
    });
  }

  /** Reads level 1, then level 2 (copying a hit into level 1); never throws, never waits long. */
  async read(key: string): Promise<StoredValue | undefined> {
    const local = this.l1.getSync(key);
    if (local !== undefined) return local.value as StoredValue;
    if (this.l2Keyv === undefined || !this.l2?.available) return undefined;
    const record = (await this.l2Keyv.get(key, { raw: true })) as KeyvRecord | undefined;
    if (record === undefined || record.value === undefined) return undefined;
    const ttl = record.expires === undefined ? undefined : record.expires - Date.now();
    if (ttl !== undefined && ttl <= 0) return undefined;
    this.l1.setSync(key, { value: record.value, expires: record.expires });
    return record.value as StoredValue;
  }

  /** Level 1 only, synchronously (no Redis round trip). */
  peek(key: string): StoredValue | undefined {
    return this.l1.getSync(key)?.value as StoredValue | undefined;
  }

  /**
   * Deletes exact keys here and in Redis, and tells the other instances (pub/sub). Awaited by
   * callers that answer an unsafe request, so a client's next GET cannot see the old entry here.
   */
  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) void this.l1.delete(key);
    if (this.l2?.available !== true) return;
    await this.l2.deleteKeys(keys);
    await this.l2.publishPurge({ keys: [...keys], origin: this.instanceId });
  }

  /** Writes level 1 now and level 2 in the background (a lost level 2 write is only a miss later). */
  write(key: string, value: StoredValue, ttlMs: number, tags: readonly string[] = []): void {
    const expires = Date.now() + ttlMs;
    this.l1.setSync(key, { value, expires });
    const l2 = this.l2;
    if (l2 !== undefined && this.l2Keyv !== undefined && l2.available) {
      this.l2Keyv
        .set(key, value, ttlMs)
        .then(() => l2.tag(key, tags, ttlMs))
        .catch(() => undefined);
    }
  }

  /** Finds the entry for a request, following a `Vary` marker to the request's variant. */
  async lookup(baseKey: string, headers: HeaderBag): Promise<CacheEntry | undefined> {
    const value = await this.read(baseKey);
    if (value === undefined) return undefined;
    if (value.kind === 'response') return value;
    if (value.kind !== 'vary') return undefined;
    const variant = await this.read(`${baseKey}#${variantKey(value.vary, headers)}`);
    return variant?.kind === 'response' ? variant : undefined;
  }

  /** Stores an entry; with `vary`, under the request's variant and a marker at the base key. */
  store(baseKey: string, entry: CacheEntry, vary: readonly string[], headers: HeaderBag): void {
    if (entry.body.length > this.config.maxEntryBytes) return;
    const ttl = lifetimeMs(entry);
    if (vary.length === 0) {
      this.write(baseKey, entry, ttl, entry.tags);
      return;
    }
    const marker: VaryMarker = { kind: 'vary', vary, storedAt: entry.storedAt, lifetimeMs: ttl };
    this.write(baseKey, marker, ttl, entry.tags);
    this.write(`${baseKey}#${variantKey(vary, headers)}`, entry, ttl, entry.tags);
  }

  /**
   * Single-flight: the first caller for `key` runs `fn`, concurrent callers get the same promise
   * (per instance). `leader` tells the caller which one it is.
   */
  singleFlight<T>(key: string, fn: () => Promise<T>): { promise: Promise<T>; leader: boolean } {
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running !== undefined) return { promise: running, leader: false };
    const promise = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return { promise, leader: true };
  }

  /** True while a single-flight for `key` runs (used to refresh a stale entry only once). */
  isInFlight(key: string): boolean {
    return this.inflight.has(key);
  }

  /** Drops entries by key prefix or tag here, in Redis and (via pub/sub) on every other instance. */
  async purge(request: PurgeRequest): Promise<PurgeResult> {
    let memory = 0;
    let redis = 0;
    if (request.prefix !== undefined) {
      memory += this.l1.deletePrefix(request.prefix);
      redis += (await this.l2?.deletePrefix(request.prefix)) ?? 0;
    }
    if (request.tag !== undefined) {
      memory += this.l1.deleteTag(request.tag);
      redis += (await this.l2?.deleteTag(request.tag)) ?? 0;
    }
    const id = randomUUID();
    const receivers =
      this.l2?.available === true
        ? await this.l2.publishPurge({ ...request, origin: this.instanceId, id })
        : undefined;
    const broadcast = receivers !== undefined;
    // Every subscriber but this instance's own must apply it; wait (bounded) for their acks.
    const expected = Math.max(0, (receivers ?? 1) - 1);
    const acknowledged = broadcast ? await this.awaitAcks(id, expected) : [];
    this.logger.log(
      `purged ${JSON.stringify(request)}: ${memory} in memory, ${redis} in Redis, broadcast=${broadcast}, ` +
        `acknowledged by ${acknowledged.length}/${expected}`,
    );
    const result: PurgeResult = {
      memory,
      redis,
      broadcast,
      scope: broadcast ? 'fleet' : 'local',
      instance: this.instanceName,
      acknowledged,
      expected,
    };
    for (const listener of this.purgeListeners) listener(request, result);
    return result;
  }

  /** Called after each operator purge made here (the live feed's `cache.purged` event). */
  onPurged(listener: (request: PurgeRequest, result: PurgeResult) => void): void {
    this.purgeListeners.push(listener);
  }

  private async awaitAcks(id: string, expected: number): Promise<string[]> {
    const end = Date.now() + PURGE_ACK_WAIT_MS;
    let acks: string[] = [];
    while (this.l2 !== undefined) {
      acks = await this.l2.purgeAcks(id);
      if (acks.length >= expected || Date.now() >= end) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return acks.sort();
  }
}
