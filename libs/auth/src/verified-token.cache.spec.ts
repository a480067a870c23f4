import type { AuthConfig } from '@app/config';
import { createRequestContext, type Principal } from '@app/core';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHmac } from 'node:crypto';
import passport from 'passport';
import { register } from 'prom-client';
import { InvalidCredentialsError } from './auth.errors';
import { BffAuthGuard } from './auth.guard';
import type { ResolvedAuthOptions } from './auth.options';
import { INTERNAL_STRATEGY, InternalJwtStrategy } from './jwt.strategy';
import { VerifiedTokenCache } from './verified-token.cache';

const SECRET = 's'.repeat(40);
const ISSUER = 'bff-internal';
const T0 = Date.UTC(2030, 0, 1);
const LEEWAY_S = 10;

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(claims: Record<string, unknown>, secret = SECRET): string {
  const input = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: 'web-bff',
    sub: 'svc-reports',
    scope: 'orders:read',
    iat: seconds(Date.now()),
    exp: seconds(Date.now()) + 60,
    ...overrides,
  };
}

class Routes {
  plain() {}
}

/** A guard with the real HS256 strategy (jsonwebtoken verifies) and a counted verifier. */
function setup(cacheOptions = { maxEntries: 100, ttlMs: 300_000 }, audience = 'web-bff') {
  const auth = {
    maxTokenBytes: 8192,
    clockLeewaySeconds: LEEWAY_S,
    tokenTypes: ['at+jwt'],
    internal: { secret: SECRET, issuer: ISSUER },
  } as unknown as AuthConfig;
  const options: ResolvedAuthOptions = {
    audience,
    realm: audience,
    defaultRoles: [],
    audit: false,
    config: auth,
  };
  const authenticator = new passport.Authenticator();
  authenticator.use(
    INTERNAL_STRATEGY,
    new InternalJwtStrategy({ audience, auth, secret: SECRET, issuer: ISSUER }),
  );
  const verifications = jest.spyOn(authenticator, 'authenticate');
  const cache = new VerifiedTokenCache(cacheOptions);
  const apiKeys = {
    find: async () => undefined,
    start: async () => undefined,
    close: async () => undefined,
  };
  const guard = new BffAuthGuard(new Reflector(), options, authenticator, apiKeys, cache);
  const run = async (token: string) => {
    const request = {
      headers: { authorization: `Bearer ${token}` },
      bffContext: createRequestContext({}, 1000),
    };
    const context = {
      getType: () => 'http',
      getHandler: () => Routes.prototype.plain,
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ header() {} }) }),
    } as unknown as ExecutionContext;
    try {
      await guard.canActivate(context);
      return { principal: request.bffContext.principal, error: undefined };
    } catch (error) {
      return { principal: undefined, error: error as InvalidCredentialsError };
    }
  };
  return { run, cache, verifications };
}

async function cacheCount(result: 'hit' | 'miss'): Promise<number> {
  const metric = await register.getSingleMetric('bff_auth_token_cache_total')?.get();
  return metric?.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe('verified-token cache in the guard', () => {
  beforeEach(() => {
    // Promises and passport's callbacks keep running; only the clock is ours.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    jest.setSystemTime(T0);
  });
  afterEach(() => jest.useRealTimers());

  it('verifies a token once, then serves the same frozen principal from the cache', async () => {
    const { run, cache, verifications } = setup();
    const token = sign(claims());
    const hits = await cacheCount('hit');
    const first = await run(token);
    expect(first.error).toBeUndefined();
    expect(first.principal).toMatchObject({ subject: 'svc-reports', kind: 'service' });
    const second = await run(token);
    const third = await run(token);
    expect(verifications).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(1);
    expect(second.principal).toBe(first.principal);
    expect(third.principal).toBe(first.principal);
    expect((await cacheCount('hit')) - hits).toBe(2);
    // Shared between requests, so nobody may change it.
    const principal = first.principal as Principal & { subject: string; scopes: string[] };
    expect(Object.isFrozen(principal)).toBe(true);
    expect(() => {
      principal.subject = 'admin';
    }).toThrow(TypeError);
    expect(() => principal.scopes.push('admin:write')).toThrow(TypeError);
  });

  it('re-verifies once the token expired and then refuses it; within the leeway it is not cached', async () => {
    const { run, cache, verifications } = setup();
    const token = sign(claims());
    expect((await run(token)).error).toBeUndefined();
    // Strictly at exp the entry is dead; jsonwebtoken still accepts it within the leeway.
    jest.setSystemTime(T0 + 60_000);
    expect((await run(token)).error).toBeUndefined();
    expect(verifications).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
    jest.setSystemTime(T0 + (60 + LEEWAY_S + 1) * 1000);
    const late = await run(token);
    expect(late.error).toBeInstanceOf(InvalidCredentialsError);
    expect(late.error?.reason).toBe('expired');
    expect(verifications).toHaveBeenCalledTimes(3);
  });

  it('a forged token with the same payload is a different key: verified and refused', async () => {
    const { run, cache, verifications } = setup();
    const payload = claims();
    const genuine = sign(payload);
    expect((await run(genuine)).error).toBeUndefined();
    const forged = sign(payload, 'x'.repeat(40));
    expect(forged.split('.').slice(0, 2)).toEqual(genuine.split('.').slice(0, 2));
    const refused = await run(forged);
    expect(refused.error).toBeInstanceOf(InvalidCredentialsError);
    expect(refused.error?.reason).toBe('signature');
    // A refused token is never cached: the next attempt is verified (and refused) again.
    expect((await run(forged)).error?.reason).toBe('signature');
    expect(verifications).toHaveBeenCalledTimes(3);
    expect(cache.size).toBe(1);
  });

  it('never caches a token that is not valid yet (accepted within the leeway)', async () => {
    const { run, cache, verifications } = setup();
    const token = sign(claims({ nbf: seconds(T0) + 5 }));
    expect((await run(token)).error).toBeUndefined();
    expect((await run(token)).error).toBeUndefined();
    expect(verifications).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('is per audience: a token cached by one BFF is still refused by another', async () => {
    const web = setup();
    const admin = setup(undefined, 'admin-bff');
    const token = sign(claims());
    expect((await web.run(token)).error).toBeUndefined();
    expect((await admin.run(token)).error?.reason).toBe('audience');
  });

  it('AUTH_TOKEN_CACHE_MAX=0 turns it off: every request is verified', async () => {
    const { run, cache, verifications } = setup({ maxEntries: 0, ttlMs: 300_000 });
    const misses = await cacheCount('miss');
    const token = sign(claims());
    for (let i = 0; i < 3; i++) expect((await run(token)).error).toBeUndefined();
    expect(verifications).toHaveBeenCalledTimes(3);
    expect(cache.size).toBe(0);
    expect(await cacheCount('miss')).toBe(misses);
  });
});

describe('VerifiedTokenCache', () => {
  const principal: Principal = {
    subject: 'u1',
    kind: 'user',
    roles: [],
    scopes: [],
    tier: 'standard',
  };
  const farExp = { exp: 10_000_000 };

  it('keeps at most maxEntries, dropping the oldest insertion first', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 3, ttlMs: 60_000, now: () => 1_000_000 });
    for (const t of ['a', 'b', 'c', 'd', 'e']) cache.add(t, principal, farExp);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('e')).toMatchObject({ subject: 'u1' });
    // Re-adding an existing token does not evict another one.
    cache.add('c', principal, farExp);
    expect(['c', 'd', 'e'].map((t) => cache.get(t) !== undefined)).toEqual([true, true, true]);
  });

  it('trusts an entry no longer than ttlMs, even when exp is far away', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, ttlMs: 5_000, now: () => now });
    cache.add('t', principal, farExp);
    now += 4_999;
    expect(cache.get('t')).toBeDefined();
    now += 1;
    expect(cache.get('t')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('ends an entry strictly at exp and never keeps a token without a numeric exp', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, ttlMs: 600_000, now: () => now });
    cache.add('t', principal, { exp: 1_010 });
    cache.add('no-exp', principal, {});
    cache.add('past', principal, { exp: 999 });
    expect(cache.size).toBe(1);
    now = 1_009_999;
    expect(cache.get('t')).toBeDefined();
    now = 1_010_000;
    expect(cache.get('t')).toBeUndefined();
  });
});
