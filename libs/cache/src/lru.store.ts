import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter } from 'keyv';

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
  size: number;
  tags: readonly string[];
}

/**
 * Level 1: a bounded in-process LRU behind the Keyv store interface (no serialization: values are
 * kept as objects). A `Map` keeps insertion order, so re-inserting on read makes it an LRU in O(1).
 * Also indexes tags and supports prefix deletion for purges.
 */
export class LruStore extends EventEmitter implements KeyvStoreAdapter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- required by KeyvStoreAdapter
  opts: any;
  namespace?: string;
  private readonly slots = new Map<string, Slot>();
  private readonly tagIndex = new Map<string, Set<string>>();
  private bytes = 0;

  constructor(private readonly options: LruStoreOptions) {
    super();
    this.opts = { ...options, dialect: 'lru' };
  }

  get size(): number {
    return this.slots.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  async get<V>(key: string): Promise<V | undefined> {
    return this.getSync(key) as V | undefined;
  }

  /** Synchronous read for the hot path; expired records are dropped. */
  getSync(key: string): KeyvRecord | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.record.expires !== undefined && slot.record.expires <= Date.now()) {
      this.remove(key, slot);
      return undefined;
    }
    // Most recently used moves to the end.
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.record;
  }

  async set(key: string, record: KeyvRecord): Promise<boolean> {
    this.setSync(key, record);
    return true;
  }

  setSync(key: string, record: KeyvRecord): void {
    const old = this.slots.get(key);
    if (old !== undefined) this.remove(key, old);
    const size = this.options.sizeOf(record.value) + key.length;
    if (size > this.options.maxBytes) return;
    const tags = this.options.tagsOf(record.value);
    this.slots.set(key, { record, size, tags });
    this.bytes += size;
    for (const tag of tags) {
      let keys = this.tagIndex.get(tag);
      if (keys === undefined) this.tagIndex.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.slots.size > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const oldest = this.slots.keys().next().value as string;
      this.remove(oldest, this.slots.get(oldest) as Slot);
    }
  }

  async delete(key: string): Promise<boolean> {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.remove(key, slot);
    return true;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let any = false;
    for (const key of keys) any = (await this.delete(key)) || any;
    return any;
  }

  async has(key: string): Promise<boolean> {
    return this.getSync(key) !== undefined;
  }

  async clear(): Promise<void> {
    this.slots.clear();
    this.tagIndex.clear();
    this.bytes = 0;
  }

  /** Deletes every key starting with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let n = 0;
    for (const [key, slot] of this.slots) {
      if (key.startsWith(prefix)) {
        this.remove(key, slot);
        n++;
      }
    }
    return n;
  }

  /** Deletes every entry carrying `tag`; returns how many. */
  deleteTag(tag: string): number {
    const keys = this.tagIndex.get(tag);
    if (keys === undefined) return 0;
    let n = 0;
    for (const key of [...keys]) {
      const slot = this.slots.get(key);
      if (slot === undefined) continue;
      this.remove(key, slot);
      n++;
    }
    this.tagIndex.delete(tag);
    return n;
  }

  async disconnect(): Promise<void> {
    await this.clear();
  }

  private remove(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.bytes -= slot.size;
    for (const tag of slot.tags) {
      const keys = this.tagIndex.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.tagIndex.delete(tag);
    }
  }
}
