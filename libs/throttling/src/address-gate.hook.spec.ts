import type { RateLimitConfig } from '@app/config';
import { isBffError } from '@app/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { AddressGate, markTierChecked } from './address-gate.hook';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { ResolvedThrottlingOptions } from './throttling.options';

const limits = (overrides: Partial<RateLimitConfig> = {}): RateLimitConfig => ({
  enabled: true,
  tiers: {
    anonymous: { burst: 3, sustained: 0, dailyQuota: 0 },
    standard: { burst: 50, sustained: 0, dailyQuota: 0 },
    premium: { burst: 200, sustained: 0, dailyQuota: 0 },
  },
  burstWindowSeconds: 60,
  sustainedWindowSeconds: 60,
  store: 'memory',
  redisFailureMode: 'open',
  redisTimeoutMs: 100,
  keyPrefix: 'test:',
  memoryMaxKeys: 1_000,
  trustedProxies: ['127.0.0.1'],
  trustedProxyHeader: 'x-forwarded-for',
  ...overrides,
});

/**
 * A Fastify app with the gate installed: `/refuse` answers 401 as the auth guard would,
 * `/served` is marked by the tier limit (as the throttler guard marks what it sees).
 */
async function appWith(config: RateLimitConfig, clock: { now: number }) {
  const store = new MemoryRateLimitStore({ maxKeys: 1_000, now: () => clock.now });
  const settings: ResolvedThrottlingOptions = { namespace: 't', config, redisUrl: undefined };
  const gate = new AddressGate(store, settings, { now: () => clock.now });
  const app: FastifyInstance = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    const status = isBffError(error) ? error.status : 500;
    if (isBffError(error) && error.retryAfterSeconds !== undefined) {
      reply.header('retry-after', String(error.retryAfterSeconds));
    }
    return reply.status(status).send({ status });
  });
  gate.install(app);
  app.get('/refuse', (_request, reply) => reply.status(401).send({ status: 401 }));
  app.get('/missing', (_request, reply) => reply.status(404).send({ status: 404 }));
  app.get('/served', (request, reply) => {
    markTierChecked(request);
    return reply.status(403).send({ status: 403 });
  });
  app.get('/health/live', (_request, reply) => reply.status(401).send({ status: 401 }));
  app.get('/boom', (_request, reply) => reply.status(503).send({ status: 503 }));
  app.get('/outdated', (_request, reply) => reply.status(426).send({ status: 426 }));
  await app.ready();
  const get = (url: string, from = '203.0.113.1') =>
    app.inject({ url, headers: { 'x-forwarded-for': from } });
  return { app, gate, get };
}

describe('AddressGate', () => {
  it('charges refused requests to their address and refuses it before any work once empty', async () => {
    const clock = { now: 1_000_000 };
    const { app, gate, get } = await appWith(limits(), clock);
    // Three tokens: the fourth refusal finds the bucket empty and blocks the address.
    for (let i = 0; i < 4; i++) expect((await get('/refuse')).statusCode).toBe(401);
    expect(gate.blockedFor('203.0.113.1')).toBeGreaterThan(0);
    const refused = await get('/refuse');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['ratelimit-policy']).toBe('"burst";q=3;w=60');
    // One token of a 3-per-minute bucket: about 20 s.
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    // Every route of the address, not just the one that was refused; other addresses are served.
    expect((await get('/served')).statusCode).toBe(429);
    expect((await get('/refuse', '203.0.113.2')).statusCode).toBe(401);
    // Health probes are never refused.
    expect((await get('/health/live')).statusCode).toBe(401);
    // Once a token is back, the address is let through again (and charged again).
    clock.now += 20_001;
    expect(gate.blockedFor('203.0.113.1')).toBe(0);
    expect((await get('/refuse')).statusCode).toBe(401);
    await app.close();
  });

  it('never charges what the tier limit saw, server errors, outdated apps, probes or its own 429s', async () => {
    const clock = { now: 1_000_000 };
    const { app, gate, get } = await appWith(limits(), clock);
    for (let i = 0; i < 10; i++) {
      expect((await get('/served')).statusCode).toBe(403);
      expect((await get('/boom')).statusCode).toBe(503);
      expect((await get('/outdated')).statusCode).toBe(426);
      expect((await get('/health/live')).statusCode).toBe(401);
    }
    expect(gate.size).toBe(0);
    // Unknown routes are client errors before any guard: charged.
    for (let i = 0; i < 4; i++) await get('/nowhere');
    expect(gate.size).toBe(1);
    expect((await get('/refuse')).statusCode).toBe(429);
    await app.close();
  });

  it('does nothing when rate limiting is off', async () => {
    const clock = { now: 1_000_000 };
    const { app, gate, get } = await appWith(limits({ enabled: false }), clock);
    for (let i = 0; i < 10; i++) expect((await get('/refuse')).statusCode).toBe(401);
    expect(gate.size).toBe(0);
    await app.close();
  });

  it('remembers a bounded number of blocked addresses', async () => {
    const clock = { now: 1_000_000 };
    const tiny = limits({
      memoryMaxKeys: 2,
      tiers: { ...limits().tiers, anonymous: { burst: 1, sustained: 0, dailyQuota: 0 } },
    });
    const { app, gate, get } = await appWith(tiny, clock);
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      await get('/refuse', address);
      await get('/refuse', address);
    }
    expect(gate.size).toBe(2);
    expect(gate.blockedFor('198.51.100.1')).toBe(0);
    expect(gate.blockedFor('198.51.100.3')).toBeGreaterThan(0);
    await app.close();
  });
});
