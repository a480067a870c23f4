import type { RevocationConfig } from '@app/config';
import Redis from 'ioredis';
import { RedisProcess, until } from '../../../test/support/redis-server';
import {
  REDIS_REVOCATIONS_HASH,
  REDIS_REVOCATIONS_VERSION,
  RevocationStore,
  type TokenFacts,
  tokenKeyOf,
} from './revocation.store';

const memory: RevocationConfig = { store: 'memory', syncMs: 100, maxTtlSeconds: 3600 };
const noRedis = { url: undefined, commandTimeoutMs: 250 };

const facts = (over: Partial<TokenFacts> = {}): TokenFacts => ({
  tokenKey: 'jti:t-1',
  subject: 'alice',
  issuedAt: 1_000_000,
  client: 'web-spa',
  ...over,
});

describe('RevocationStore (memory)', () => {
  let now = 2_000_000;
  const store = () => new RevocationStore(memory, noRedis, { now: () => now });
  beforeEach(() => (now = 2_000_000));

  it('revokes one token by jti, or by the hash of a token without jti', async () => {
    const s = store();
    expect(s.isRevoked(facts())).toBe(false);
    const { entry, shared } = await s.revokeToken({ jti: 't-1' }, 'leaked');
    expect(shared).toBe(false);
    expect(entry).toMatchObject({ kind: 'token', value: 'jti:t-1', reason: 'leaked' });
    expect(s.isRevoked(facts())).toBe(true);
    expect(s.isRevoked(facts({ tokenKey: 'jti:t-2' }))).toBe(false);
    await s.revokeToken({ token: 'a.b.c' }, 'leaked');
    expect(s.isRevoked(facts({ tokenKey: tokenKeyOf('a.b.c', undefined) }))).toBe(true);
    expect(tokenKeyOf('a.b.c', undefined)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('revokes what a subject was issued up to now, not what comes later', async () => {
    const s = store();
    await s.revokeSubject('alice', 'logout everywhere', 'alice');
    expect(s.isRevoked(facts({ tokenKey: undefined, issuedAt: now - 1 }))).toBe(true);
    expect(s.isRevoked(facts({ tokenKey: undefined, issuedAt: undefined }))).toBe(true);
    expect(s.isRevoked(facts({ tokenKey: undefined, issuedAt: now + 1000 }))).toBe(false);
    expect(s.isRevoked(facts({ tokenKey: undefined, subject: 'bob' }))).toBe(false);
    expect(s.subjectCutoff('alice')).toBe(now);
    expect(s.subjectCutoff('bob')).toBeUndefined();
  });

  it('revokes a client’s tokens and API keys issued before now', async () => {
    const s = store();
    await s.revokeClient('web-spa', 'compromised');
    expect(s.isRevoked(facts({ tokenKey: undefined }))).toBe(true);
    expect(s.isRevoked(facts({ tokenKey: undefined, client: 'other' }))).toBe(false);
    expect(s.isClientRevoked('web-spa', now - 5)).toBe(true);
    expect(s.isClientRevoked('web-spa', now + 5)).toBe(false);
  });

  it('ends web sessions by IdP session or subject without revoking tokens', async () => {
    const s = store();
    await s.revokeSessions({ sid: 'sid-1' }, 'back-channel logout');
    expect(s.isSessionRevoked('alice', 'sid-1', now - 1)).toBe(true);
    expect(s.isSessionRevoked('alice', 'sid-2', now - 1)).toBe(false);
    expect(s.isSessionRevoked('alice', 'sid-1', now + 1)).toBe(false);
    await s.revokeSessions({ subject: 'bob' }, 'back-channel logout');
    expect(s.isSessionRevoked('bob', undefined, now)).toBe(true);
    expect(s.isRevoked(facts({ subject: 'bob', tokenKey: undefined }))).toBe(false);
    await s.revokeSubject('carol', 'everywhere');
    expect(s.isSessionRevoked('carol', 'sid-9', now)).toBe(true);
  });

  it('keeps one entry per target (idempotent), removes it, and drops it when it expires', async () => {
    const s = store();
    const first = await s.revokeSubject('alice', 'one');
    now += 10;
    const second = await s.revokeSubject('alice', 'two');
    expect(second.entry.id).toBe(first.entry.id);
    expect(s.list()).toHaveLength(1);
    expect(s.subjectCutoff('alice')).toBe(now);
    expect((await s.remove(first.entry.id)).removed).toBe(true);
    expect((await s.remove(first.entry.id)).removed).toBe(false);
    expect(s.isRevoked(facts({ tokenKey: undefined }))).toBe(false);

    // A token's entry lasts until its exp; other entries the bounded maximum.
    await s.revokeToken({ jti: 't-1' }, 'short', undefined, now + 1000);
    await s.revokeClient('web-spa', 'long');
    now += 1001;
    expect(s.list().map((e) => e.kind)).toEqual(['client']);
    now += 3600 * 1000;
    expect(s.list()).toEqual([]);
  });
});

describe('RevocationStore (Redis)', () => {
  let redis: RedisProcess;
  let config: RevocationConfig;
  const stores: RevocationStore[] = [];
  const open = async () => {
    const s = new RevocationStore(config, { url: redis.url, commandTimeoutMs: 250 });
    stores.push(s);
    await s.start();
    return s;
  };

  beforeAll(async () => {
    redis = await RedisProcess.start();
    config = { store: 'redis', syncMs: 300, maxTtlSeconds: 3600 };
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(() => redis.kill());

  it('pushes a revocation to every instance at once, and a removal', async () => {
    const a = await open();
    const b = await open();
    const { entry, shared } = await a.revokeToken({ jti: 'pushed' }, 'test');
    expect(shared).toBe(true);
    const started = Date.now();
    await until(async () => b.isRevoked(facts({ tokenKey: 'jti:pushed' })), 5_000, 'push');
    expect(Date.now() - started).toBeLessThan(1_000);
    await b.remove(entry.id);
    await until(async () => a.get(entry.id) === undefined, 5_000, 'removal');
    // A new instance loads the list at start.
    await a.revokeSubject('carol', 'test');
    const c = await open();
    expect(c.subjectCutoff('carol')).toBeDefined();
  });

  it('picks up a change whose message it missed at the next sync', async () => {
    const a = await open();
    const raw = new Redis(redis.url);
    try {
      const entry = {
        id: 'smissed',
        kind: 'subject',
        value: 'missed',
        before: Date.now(),
        reason: 'written without a message',
        createdAt: new Date().toISOString(),
        expiresAt: Date.now() + 60_000,
      };
      await raw.hset(REDIS_REVOCATIONS_HASH, entry.id, JSON.stringify(entry));
      await raw.incr(REDIS_REVOCATIONS_VERSION);
    } finally {
      raw.disconnect();
    }
    await until(async () => a.subjectCutoff('missed') !== undefined, 3_000, 'sync');
  });

  it('Redis down: keeps the synced list, applies new revocations locally, publishes them later', async () => {
    const a = await open();
    const b = await open();
    await a.revokeSubject('kept', 'before the outage');
    await until(async () => b.subjectCutoff('kept') !== undefined, 5_000, 'push');

    await redis.kill();
    const local = await a.revokeSubject('offline', 'during the outage');
    expect(local.shared).toBe(false);
    expect(a.subjectCutoff('offline')).toBeDefined();
    // Failed syncs leave both lists as they were.
    await new Promise((r) => setTimeout(r, 2 * config.syncMs));
    expect(b.subjectCutoff('kept')).toBeDefined();
    expect(a.subjectCutoff('kept')).toBeDefined();
    expect(b.subjectCutoff('offline')).toBeUndefined();

    await redis.start();
    // The pending revocation reaches Redis, then b, once the connections are back; the restarted
    // Redis is empty, and the instances give it back what they held.
    await until(async () => b.subjectCutoff('offline') !== undefined, 10_000, 'retried publish');
    expect(a.subjectCutoff('offline')).toBeDefined();
    await new Promise((r) => setTimeout(r, 2 * config.syncMs));
    for (const s of [a, b]) expect(s.subjectCutoff('kept')).toBeDefined();
    const c = await open();
    expect(c.subjectCutoff('kept')).toBeDefined();
    expect(c.subjectCutoff('offline')).toBeDefined();
  }, 20_000);
});
