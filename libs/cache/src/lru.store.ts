import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter } from 'keyv';
import { LRUCache } from 'lru-cache';

/** What Keyv hands a store when serialization is off: the value and its expiry (epoch ms). */
export interface KeyvRecord<V = unknown> {
  value: V;
  expires?: number;
}

export interface LruStoreOptions {
  /** Most entries kept; the least recently used goes first. */
  maxEntries: number;
  /** Approximate bytes kept (as measured by `sizeOf`). */
  maxBytes: number;
  /** Size of a value in bytes; counted against `maxBytes`. */
  sizeOf: (value: unknown) => number;
  /** Tags of a value, indexed so a tag can be purged without a scan. */
  tagsOf: (value: unknown) => readonly string[];
}

interface Slot {
  record: KeyvRecord;
  tags: readonly string[];
}

/**
 * Level 1: a bounded in-process LRU behind the Keyv store interface (no serialization: values are
 * kept as objects). Recency, the entry and byte bounds are lru-cache's (`max`, `maxSize` with
 * `sizeCalculation`); this adapter adds what it lacks: a tag index, kept in step by its `dispose`
 * hook, and prefix deletion for purges. Expiry stays the Keyv record's own `expires`.
 */
export class LruStore extends EventEmitter implements KeyvStoreAdapter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- required by KeyvStoreAdapter
  opts: any;
  namespace?: string;
  private readonly slots: LRUCache<string, Slot>;
  private readonly tagIndex = new Map<string, Set<string>>();

  constructor(private readonly options: LruStoreOptions) {
    super();
    this.opts = { ...options, dialect: 'lru' };
    this.slots = new LRUCache<string, Slot>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (slot, key) => Math.max(1, options.sizeOf(slot.record.value) + key.length),
      // Every way out (eviction, delete, clear, overwrite) goes through here: the index follows.
      dispose: (slot, key) => this.unindex(key, slot.tags),
    });
  }

  get size(): number {
    return this.slots.size;
  }

  get byteSize(): number {
    return this.slots.calculatedSize;
  }

  async get<V>(key: string): Promise<V | undefined> {
    return this.getSync(key) as V | undefined;
  }

  /** Synchronous read for the hot path; expired records are dropped. */
  getSync(key: string): KeyvRecord | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.record.expires !== undefined && slot.record.expires <= Date.now()) {
      this.slots.delete(key);
      return undefined;
    }
    return slot.record;
  }

  async set(key: string, record: KeyvRecord): Promise<boolean> {
    this.setSync(key, record);
    return true;
  }

  setSync(key: string, record: KeyvRecord): void {
    // Dropped first, so the old entry's dispose cannot unindex the new entry's tags; a value
    // bigger than the whole budget is then refused by lru-cache (maxEntrySize = maxSize).
    this.slots.delete(key);
    const slot: Slot = { record, tags: this.options.tagsOf(record.value) };
    this.slots.set(key, slot);
    if (this.slots.peek(key) !== slot) return;
    for (const tag of slot.tags) {
      let keys = this.tagIndex.get(tag);
      if (keys === undefined) this.tagIndex.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  async delete(key: string): Promise<boolean> {
    return this.slots.delete(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let any = false;
    for (const key of keys) any = this.slots.delete(key) || any;
    return any;
  }

  async has(key: string): Promise<boolean> {
    return this.getSync(key) !== undefined;
  }

  async clear(): Promise<void> {
    this.slots.clear();
    this.tagIndex.clear();
  }

  /** Deletes every key starting with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    const doomed: string[] = [];
    for (const key of this.slots.keys()) if (key.startsWith(prefix)) doomed.push(key);
    for (const key of doomed) this.slots.delete(key);
    return doomed.length;
  }

  /** Deletes every entry carrying `tag`; returns how many. */
  deleteTag(tag: string): number {
    const keys = this.tagIndex.get(tag);
    if (keys === undefined) return 0;
    let n = 0;
    for (const key of [...keys]) if (this.slots.delete(key)) n++;
    this.tagIndex.delete(tag);
    return n;
  }

  async disconnect(): Promise<void> {
    await this.clear();
  }

  private unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.tagIndex.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.tagIndex.delete(tag);
    }
  }
}
