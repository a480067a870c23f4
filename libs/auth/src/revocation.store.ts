import type { RedisConfig, RevocationConfig } from '@app/config';
import {
  type Redis,
  closeRedisClient,
  createRedisClient,
  subscribeOnReady,
  whenReady,
} from '@app/redis';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { unverifiedExpiry } from './jwt.token';

/** What a revocation applies to; `session` ends web sessions only (OIDC back-channel logout). */
export type RevocationKind = 'token' | 'subject' | 'client' | 'session';

/** One revocation, as listed by the admin API and shared through Redis. */
export interface RevocationEntry {
  /** Stable per target (kind + value), so revoking the same thing twice updates one entry. */
  readonly id: string;
  readonly kind: RevocationKind;
  /**
   * `jti:<jti>` or `sha256:<hex>` (token), the `sub` (subject), the client name (client), or
   * `sid:<sid>` / `sub:<sub>` (session).
   */
  readonly value: string;
  /** Subject, client, session: credentials issued (sessions started) up to this epoch ms. */
  readonly before?: number;
  readonly reason: string;
  /** Who revoked (the admin's subject, or the user logging out everywhere). */
  readonly by?: string;
  readonly createdAt: string;
  /** Epoch ms after which the entry is dropped: no token it matches can still be valid. */
  readonly expiresAt: number;
}

/** What the guard knows of a verified token, computed once per token (then cached with it). */
export interface TokenFacts {
  /** `jti:<jti>`, or `sha256:<hex>` of the token string when it has no `jti`. */
  readonly tokenKey: string | undefined;
  readonly subject: string;
  /** Issue time (epoch ms); undefined when unknown (then any subject or client cut-off applies). */
  readonly issuedAt: number | undefined;
  readonly client: string | undefined;
}

/** A token to revoke: its `jti`, or the token itself (kept only as a SHA-256). */
export type TokenTarget = { readonly jti: string } | { readonly token: string };

export const REDIS_REVOCATIONS_HASH = 'bff:revocations';
/**
 * In the hash's cluster slot (`{bff:revocations}` hashes like the key `bff:revocations`), so the
 * MULTI that changes both works on a Redis Cluster.
 */
export const REDIS_REVOCATIONS_VERSION = '{bff:revocations}:version';
export const REDIS_REVOCATIONS_CHANNEL = 'bff:revocations:changed';

type Change = { readonly op: 'add'; readonly entry: RevocationEntry } | { op: 'del'; id: string };

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Key of a token in the revoked set: its `jti`, else a hash of the whole string. */
export function tokenKeyOf(raw: string, jti: unknown): string {
  return typeof jti === 'string' && jti !== '' ? `jti:${jti}` : `sha256:${sha256(raw)}`;
}

function idOf(kind: RevocationKind, value: string): string {
  return `${kind[0]}${sha256(`${kind}\n${value}`).slice(0, 15)}`;
}

function parseEntry(text: string): RevocationEntry | undefined {
  try {
    const e = JSON.parse(text) as Partial<RevocationEntry>;
    const ok =
      typeof e.id === 'string' &&
      (e.kind === 'token' || e.kind === 'subject' || e.kind === 'client' || e.kind === 'session') &&
      typeof e.value === 'string' &&
      typeof e.expiresAt === 'number';
    return ok ? (e as RevocationEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** Options of a {@link RevocationStore} beyond its configuration (tests). */
export interface RevocationStoreOptions {
  /** Clock in epoch milliseconds. */
  readonly now?: () => number;
}

/**
 * Revoked tokens, subjects and clients, shared by every instance. Checks never leave the process:
 * they read a local index. With Redis (hash `bff:revocations`), a change is published on
 * `bff:revocations:changed` (every instance applies it at once) and every `syncMs` each instance
 * compares `bff:revocations:version` and reloads the hash when it moved, so a missed message costs
 * at most one sync interval.
 *
 * Redis down (fail-open on propagation, never on what is known): the last synced list stays in
 * force, new revocations and deletions apply locally at once and are written and published again
 * on every sync until Redis takes them. Without Redis the store is this instance's memory.
 */
export class RevocationStore {
  private readonly logger = new Logger('Revocations');
  private readonly now: () => number;
  private entries = new Map<string, RevocationEntry>();
  private tokens = new Map<string, RevocationEntry>();
  private subjects = new Map<string, RevocationEntry>();
  private clients = new Map<string, RevocationEntry>();
  private sessions = new Map<string, RevocationEntry>();
  /** Changes not yet in Redis, in order: retried on every sync. */
  private pending: Change[] = [];
  private redis: Redis | undefined;
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private version: string | null | undefined;
  private syncing: Promise<void> | undefined;
  /** Logs a failing sync once per outage, not on every tick. */
  private syncFailing = false;

  constructor(
    private readonly config: RevocationConfig,
    private readonly redisConfig: Pick<RedisConfig, 'url' | 'commandTimeoutMs'>,
    options: RevocationStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** True when revocations reach the other instances (Redis store configured). */
  get shared(): boolean {
    return this.config.store === 'redis' && this.redisConfig.url !== undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  async start(): Promise<void> {
    const url = this.redisConfig.url;
    if (this.timer !== undefined) return;
    if (!this.shared || url === undefined) {
      // Memory only: drop expired entries now and then, so the index stays bounded.
      this.timer = setInterval(() => this.expireLocal(), this.config.syncMs);
      this.timer.unref();
      return;
    }
    const { commandTimeoutMs } = this.redisConfig;
    const redis = createRedisClient({ url, use: 'revocations', commandTimeoutMs });
    this.redis = redis;
    // Every (re)connection may follow missed messages: reload at once, not at the next tick.
    redis.on('ready', () => void this.sync(true));
    const subscriber = createRedisClient({
      url,
      use: 'revocation-events',
      commandTimeoutMs,
      subscriber: true,
    });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    subscriber.on('ready', () => {
      if (redis.status === 'ready') void this.sync(true);
    });
    subscribeOnReady(subscriber, [REDIS_REVOCATIONS_CHANNEL], (error) =>
      this.logger.warn(`revocations wait for the periodic sync: ${error.message}`),
    );
    this.timer = setInterval(() => void this.sync(), this.config.syncMs);
    this.timer.unref();
    // Boot with the list when Redis answers soon; otherwise it comes with the connection.
    await whenReady(redis, commandTimeoutMs).then(
      () => this.sync(true),
      () => undefined,
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.subscriber !== undefined) closeRedisClient(this.subscriber);
    if (this.redis !== undefined) closeRedisClient(this.redis);
  }

  /** Is this verified token revoked? Local lookups only (called on every request). */
  isRevoked(facts: TokenFacts): boolean {
    if (this.entries.size === 0) return false;
    if (facts.tokenKey !== undefined && this.tokens.has(facts.tokenKey)) return true;
    return (
      this.cutOff(this.subjects.get(facts.subject), facts.issuedAt) ||
      (facts.client !== undefined && this.cutOff(this.clients.get(facts.client), facts.issuedAt))
    );
  }

  /** Is an API key of `client` created at `createdAt` (epoch ms) revoked by a client cut-off? */
  isClientRevoked(client: string, createdAt: number | undefined): boolean {
    return this.entries.size !== 0 && this.cutOff(this.clients.get(client), createdAt);
  }

  /** The subject's cut-off (epoch ms): sessions started up to it are over. */
  subjectCutoff(subject: string): number | undefined {
    const entry = this.subjects.get(subject);
    return entry === undefined || entry.expiresAt <= this.now() ? undefined : entry.before;
  }

  /** Is a web session of `subject` (IdP session `sid`) started at `startedAt` (epoch ms) over? */
  isSessionRevoked(subject: string, sid: string | undefined, startedAt: number): boolean {
    if (this.entries.size === 0) return false;
    return (
      this.cutOff(this.subjects.get(subject), startedAt) ||
      this.cutOff(this.sessions.get(`sub:${subject}`), startedAt) ||
      (sid !== undefined && this.cutOff(this.sessions.get(`sid:${sid}`), startedAt))
    );
  }

  /** Ends the web sessions of an IdP session (`sid`) or of a subject, started up to now. */
  revokeSessions(
    target: { readonly sid: string } | { readonly subject: string },
    reason: string,
    by?: string,
  ): Promise<RevocationResult> {
    const value = 'sid' in target ? `sid:${target.sid}` : `sub:${target.subject}`;
    return this.add('session', value, reason, by, this.now());
  }

  /** Revokes one token; `expiresAt` (its `exp`, epoch ms) bounds the entry when known. */
  revokeToken(
    target: TokenTarget,
    reason: string,
    by?: string,
    expiresAt?: number,
  ): Promise<RevocationResult> {
    if ('jti' in target)
      return this.add('token', `jti:${target.jti}`, reason, by, undefined, expiresAt);
    // A whole token's entry goes when the token would have expired anyway.
    const exp = expiresAt ?? unverifiedExpiry(target.token);
    return this.add('token', tokenKeyOf(target.token, undefined), reason, by, undefined, exp);
  }

  /** "Log out everywhere": every token of `subject` issued up to now, and its sessions. */
  revokeSubject(subject: string, reason: string, by?: string): Promise<RevocationResult> {
    return this.add('subject', subject, reason, by, this.now());
  }

  /** Every token (or API key) of `client` issued up to now. */
  revokeClient(client: string, reason: string, by?: string): Promise<RevocationResult> {
    return this.add('client', client, reason, by, this.now());
  }

  /** Withdraws a revocation made by mistake; false when there is no such entry. */
  async remove(id: string): Promise<{ removed: boolean; shared: boolean }> {
    const known = this.entries.has(id);
    if (!known) return { removed: false, shared: this.shared };
    this.apply({ op: 'del', id });
    return { removed: true, shared: await this.push({ op: 'del', id }) };
  }

  /** Current entries, newest first. */
  list(): RevocationEntry[] {
    const now = this.now();
    return [...this.entries.values()]
      .filter((e) => e.expiresAt > now)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  get(id: string): RevocationEntry | undefined {
    return this.entries.get(id);
  }

  /**
   * Reloads from Redis when its version moved (or `force`), after writing what is pending. Runs
   * one at a time; a failure keeps the current list.
   */
  sync(force = false): Promise<void> {
    if (this.syncing === undefined) {
      this.syncing = this.syncNow(force).finally(() => (this.syncing = undefined));
    }
    return this.syncing;
  }

  private cutOff(entry: RevocationEntry | undefined, issuedAt: number | undefined): boolean {
    if (entry === undefined || entry.before === undefined) return false;
    // Unknown issue time: nothing proves the credential postdates the cut-off.
    return issuedAt === undefined || issuedAt <= entry.before;
  }

  private async add(
    kind: RevocationKind,
    value: string,
    reason: string,
    by: string | undefined,
    before?: number,
    tokenExpiresAt?: number,
  ): Promise<RevocationResult> {
    const now = this.now();
    const longest = now + this.config.maxTtlSeconds * 1000;
    const entry: RevocationEntry = {
      id: idOf(kind, value),
      kind,
      value,
      ...(before === undefined ? {} : { before }),
      reason,
      ...(by === undefined ? {} : { by }),
      createdAt: new Date(now).toISOString(),
      expiresAt: tokenExpiresAt === undefined ? longest : Math.min(tokenExpiresAt, longest),
    };
    this.apply({ op: 'add', entry });
    return { entry, shared: await this.push({ op: 'add', entry }) };
  }

  private apply(change: Change): void {
    if (change.op === 'add') {
      const { entry } = change;
      this.drop(entry.id);
      if (entry.expiresAt <= this.now()) return;
      this.entries.set(entry.id, entry);
      this.indexOf(entry.kind).set(entry.value, entry);
    } else {
      this.drop(change.id);
    }
  }

  private drop(id: string): void {
    const old = this.entries.get(id);
    if (old === undefined) return;
    this.entries.delete(id);
    const index = this.indexOf(old.kind);
    if (index.get(old.value) === old) index.delete(old.value);
  }

  private indexOf(kind: RevocationKind): Map<string, RevocationEntry> {
    if (kind === 'token') return this.tokens;
    if (kind === 'subject') return this.subjects;
    return kind === 'client' ? this.clients : this.sessions;
  }

  /** Writes and publishes a change; on failure it waits in `pending` for the next sync. */
  private async push(change: Change): Promise<boolean> {
    if (this.redis === undefined) return false;
    this.pending = [...this.pending.filter((c) => idOfChange(c) !== idOfChange(change)), change];
    try {
      await this.flush();
      return true;
    } catch (error) {
      this.logger.warn(
        `revocation ${idOfChange(change)} applies here only until Redis takes it: ${(error as Error).message}`,
      );
      return false;
    }
  }

  private async flush(): Promise<void> {
    const redis = this.redis;
    if (redis === undefined) return;
    while (this.pending.length > 0) {
      const change = this.pending[0];
      const multi = redis.multi();
      if (change.op === 'add') {
        multi.hset(REDIS_REVOCATIONS_HASH, change.entry.id, JSON.stringify(change.entry));
      } else {
        multi.hdel(REDIS_REVOCATIONS_HASH, change.id);
      }
      multi.incr(REDIS_REVOCATIONS_VERSION);
      multi.publish(REDIS_REVOCATIONS_CHANNEL, JSON.stringify(change));
      const results = await multi.exec();
      const failed = results?.find(([error]) => error !== null)?.[0];
      if (results === null || failed) throw failed ?? new Error('transaction aborted');
      // The change may have been replaced meanwhile (same id): drop only what was written.
      if (this.pending[0] === change) this.pending.shift();
    }
  }

  private async syncNow(force: boolean): Promise<void> {
    const redis = this.redis;
    if (redis === undefined) return;
    try {
      await this.flush();
      let version = await redis.get(REDIS_REVOCATIONS_VERSION);
      if (Number(version ?? 0) < Number(this.version ?? 0)) {
        // The version went back: Redis lost its data (restarted without persistence). Give it
        // back what this instance holds instead of taking the loss as deletions.
        this.logger.warn("revocations missing from Redis: publishing this instance's list again");
        const held = [...this.entries.values()].map((entry) => ({ op: 'add', entry }) as const);
        const ids = new Set(held.map((c) => c.entry.id));
        this.pending = [...held, ...this.pending.filter((c) => !ids.has(idOfChange(c)))];
        await this.flush();
        version = await redis.get(REDIS_REVOCATIONS_VERSION);
      }
      if (!force && version === this.version) {
        this.expireLocal();
        return;
      }
      const all = await redis.hgetall(REDIS_REVOCATIONS_HASH);
      const now = this.now();
      const fresh = new Map<string, RevocationEntry>();
      const expired: string[] = [];
      for (const [id, text] of Object.entries(all)) {
        const entry = parseEntry(text);
        if (entry === undefined || entry.expiresAt <= now) expired.push(id);
        else fresh.set(id, entry);
      }
      this.replace(fresh);
      this.version = version;
      // Whoever sees an expired entry first removes it; the others simply skip it.
      if (expired.length > 0) await redis.hdel(REDIS_REVOCATIONS_HASH, ...expired);
      if (this.syncFailing) this.logger.log('revocation sync works again');
      this.syncFailing = false;
    } catch (error) {
      if (this.syncFailing) return;
      this.syncFailing = true;
      this.logger.warn(
        `revocation sync failed, keeping the last list: ${(error as Error).message}`,
      );
    }
  }

  private replace(fresh: Map<string, RevocationEntry>): void {
    this.entries = new Map();
    this.tokens = new Map();
    this.subjects = new Map();
    this.clients = new Map();
    this.sessions = new Map();
    for (const entry of fresh.values()) this.apply({ op: 'add', entry });
    // Local changes Redis has not taken yet stay in force over what it says.
    for (const change of this.pending) this.apply(change);
  }

  private expireLocal(): void {
    const now = this.now();
    for (const entry of [...this.entries.values()]) if (entry.expiresAt <= now) this.drop(entry.id);
  }

  private onMessage(message: string): void {
    try {
      const change = JSON.parse(message) as Partial<Change>;
      if (change.op === 'del' && typeof change.id === 'string')
        this.apply({ op: 'del', id: change.id });
      else if (change.op === 'add') {
        const entry = parseEntry(JSON.stringify(change.entry));
        if (entry !== undefined) this.apply({ op: 'add', entry });
      }
    } catch {
      // A malformed message changes nothing; the next sync reloads the list anyway.
    }
  }
}

/** A revocation just made; `shared` is false while only this instance knows it (Redis down). */
export interface RevocationResult {
  readonly entry: RevocationEntry;
  readonly shared: boolean;
}

function idOfChange(change: Change): string {
  return change.op === 'add' ? change.entry.id : change.id;
}
