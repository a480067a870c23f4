/** Releases a lock taken with {@link SessionStore.lock}. */
export type LockRelease = () => Promise<void>;

/**
 * Server-side storage of sessions and pending logins. Values are plain JSON objects;
 * keys are already hashed by the caller, so a store never sees a usable cookie value.
 */
export interface SessionStore {
  get<T extends object>(key: string): Promise<T | undefined>;
  set(key: string, value: object, ttlMs: number): Promise<void>;
  /** Reads and deletes in one step (a pending login is usable once). */
  take<T extends object>(key: string): Promise<T | undefined>;
  delete(key: string): Promise<void>;
  /** A short exclusive lock (refresh across instances); undefined when someone else holds it. */
  lock(key: string, ttlMs: number): Promise<LockRelease | undefined>;
  close(): Promise<void>;
}

interface MemoryEntry {
  value: object;
  expiresAt: number;
}

/**
 * Bounded in-memory store for a single instance. Entries expire lazily when read; when full, the
 * least recently written entry goes first (a Map keeps insertion order). No timer per entry.
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly locks = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async get<T extends object>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  async set(key: string, value: object, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async take<T extends object>(key: string): Promise<T | undefined> {
    const value = await this.get<T>(key);
    this.entries.delete(key);
    return value;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async lock(key: string, ttlMs: number): Promise<LockRelease | undefined> {
    const now = this.now();
    const heldUntil = this.locks.get(key);
    if (heldUntil !== undefined && heldUntil > now) return undefined;
    const until = now + ttlMs;
    this.locks.set(key, until);
    return async () => {
      if (this.locks.get(key) === until) this.locks.delete(key);
    };
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.locks.clear();
  }
}
