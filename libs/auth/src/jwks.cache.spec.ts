import { generateKeyPairSync } from 'node:crypto';
import { AuthProviderUnavailableError, InvalidCredentialsError } from './auth.errors';
import { IssuerKeys, type JwksCacheOptions } from './jwks.cache';

const ISSUER = 'https://idp.test';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const jwk = (key: typeof rsa, extra: object) => ({ ...key.export({ format: 'jwk' }), ...extra });

interface FakeIdp {
  fetch: typeof fetch;
  jwksCalls: () => number;
  keys: object[];
  down: boolean;
  issuer: string;
}

function fakeIdp(keys: object[]): FakeIdp {
  let calls = 0;
  const idp: FakeIdp = {
    keys,
    down: false,
    issuer: ISSUER,
    jwksCalls: () => calls,
    fetch: (async (url: string) => {
      if (idp.down) throw new Error('ECONNREFUSED');
      // Every fetch takes a tick, so concurrent callers really overlap.
      await new Promise((r) => setTimeout(r, 5));
      const body = url.endsWith('/.well-known/openid-configuration')
        ? { issuer: idp.issuer, jwks_uri: `${ISSUER}/jwks` }
        : (calls++, { keys: idp.keys });
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch,
  };
  return idp;
}

const options = (idp: FakeIdp, over: Partial<JwksCacheOptions> = {}): JwksCacheOptions => ({
  cooldownMs: 60_000,
  maxAgeMs: 600_000,
  timeoutMs: 1_000,
  fetch: idp.fetch,
  ...over,
});

describe('IssuerKeys', () => {
  it('fetches once and then serves keys from memory', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1', alg: 'RS256', use: 'sig' })]);
    const keys = new IssuerKeys({ url: ISSUER, algorithms: ['RS256'] }, options(idp));
    for (let i = 0; i < 5; i++) expect(await keys.keyFor('r1', 'RS256')).toBeDefined();
    expect(idp.jwksCalls()).toBe(1);
  });

  it('single flight and cooldown: 50 concurrent unknown kids cause one refetch, then none', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1' })]);
    const keys = new IssuerKeys(
      { url: ISSUER, algorithms: ['RS256'] },
      options(idp, { cooldownMs: 200 }),
    );
    await keys.keyFor('r1', 'RS256');
    // Within the cooldown of the first load: unknown kids cause no fetch at all.
    await expect(keys.keyFor('early', 'RS256')).rejects.toThrow(/unknown key/);
    expect(idp.jwksCalls()).toBe(1);
    await new Promise((r) => setTimeout(r, 220));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => keys.keyFor(`unknown-${i}`, 'RS256')),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(idp.jwksCalls()).toBe(2);
    await expect(keys.keyFor('unknown-0', 'RS256')).rejects.toThrow(/unknown key/);
    await expect(keys.keyFor('another', 'RS256')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(idp.jwksCalls()).toBe(2);
  });

  it('finds a rotated key after the cooldown', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1' })]);
    const keys = new IssuerKeys(
      { url: ISSUER, algorithms: ['RS256'] },
      options(idp, { cooldownMs: 30 }),
    );
    await keys.keyFor('r1', 'RS256');
    idp.keys = [jwk(rsa, { kid: 'r1' }), jwk(rsa, { kid: 'r2' })];
    await new Promise((r) => setTimeout(r, 40));
    expect(await keys.keyFor('r2', 'RS256')).toBeDefined();
  });

  it('never lets a key verify another algorithm family (key confusion)', async () => {
    const idp = fakeIdp([
      jwk(rsa, { kid: 'r1' }),
      jwk(ec, { kid: 'e1' }),
      jwk(rsa, { kid: 'pinned', alg: 'PS256' }),
    ]);
    const keys = new IssuerKeys(
      { url: ISSUER, algorithms: ['RS256', 'ES256', 'ES384'] },
      options(idp),
    );
    expect(await keys.keyFor('e1', 'ES256')).toBeDefined();
    await expect(keys.keyFor('r1', 'ES256')).rejects.toThrow(/unknown key/);
    await expect(keys.keyFor('e1', 'RS256')).rejects.toThrow(/unknown key/);
    await expect(keys.keyFor('e1', 'ES384')).rejects.toThrow(/unknown key/);
    await expect(keys.keyFor('pinned', 'RS256')).rejects.toThrow(/unknown key/);
  });

  it('skips encryption keys; without kid only an unambiguous key is used', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'enc', use: 'enc' }), jwk(ec, { kid: 'e1' })]);
    const keys = new IssuerKeys({ url: ISSUER, algorithms: ['RS256', 'ES256'] }, options(idp));
    await expect(keys.keyFor('enc', 'RS256')).rejects.toThrow(/unknown key/);
    expect(await keys.keyFor(undefined, 'ES256')).toBeDefined();
  });

  it('refuses a discovery document naming another issuer', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1' })]);
    idp.issuer = 'https://evil.test';
    const keys = new IssuerKeys({ url: ISSUER, algorithms: ['RS256'] }, options(idp));
    await expect(keys.keyFor('r1', 'RS256')).rejects.toBeInstanceOf(AuthProviderUnavailableError);
  });

  it('answers 503 while the issuer has never been reached, and recovers', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1' })]);
    idp.down = true;
    const keys = new IssuerKeys({ url: ISSUER, algorithms: ['RS256'] }, options(idp));
    const error = await keys.keyFor('r1', 'RS256').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthProviderUnavailableError);
    expect((error as AuthProviderUnavailableError).status).toBe(503);
    idp.down = false;
    // Within the short retry gap: still refused without a fetch.
    await expect(keys.keyFor('r1', 'RS256')).rejects.toBeInstanceOf(AuthProviderUnavailableError);
    expect(idp.jwksCalls()).toBe(0);
  });

  it('refreshes stale keys in the background without delaying requests', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1' })]);
    const keys = new IssuerKeys(
      { url: ISSUER, algorithms: ['RS256'] },
      options(idp, { maxAgeMs: 1 }),
    );
    await keys.keyFor('r1', 'RS256');
    await new Promise((r) => setTimeout(r, 5));
    expect(await keys.keyFor('r1', 'RS256')).toBeDefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(idp.jwksCalls()).toBe(2);
  });

  it('imports only the public members of a key an IdP published with its private parts', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const idp = fakeIdp([{ ...pair.privateKey.export({ format: 'jwk' }), kid: 'leaky' }]);
    const keys = new IssuerKeys({ url: ISSUER, algorithms: ['RS256'] }, options(idp));
    const key = await keys.keyFor('leaky', 'RS256');
    expect(key.type).toBe('public');
  });

  it('after a failed refetch, holds further fetches back for the cooldown', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1' })]);
    let attempts = 0;
    const counted = (async (url: string, init?: RequestInit) => {
      if (!url.endsWith('/.well-known/openid-configuration')) attempts++;
      return idp.fetch(url, init);
    }) as typeof fetch;
    const keys = new IssuerKeys(
      { url: ISSUER, algorithms: ['RS256'] },
      options(idp, { cooldownMs: 30, fetch: counted }),
    );
    await keys.keyFor('r1', 'RS256');
    idp.down = true;
    await new Promise((r) => setTimeout(r, 40));
    await expect(keys.keyFor('new-1', 'RS256')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(keys.keyFor('new-2', 'RS256')).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(attempts).toBe(2);
    // Known keys keep working while the IdP is away.
    expect(await keys.keyFor('r1', 'RS256')).toBeDefined();
  });

  it('refuses an oversized JWKS', async () => {
    const idp = fakeIdp([jwk(rsa, { kid: 'r1', padding: 'x'.repeat(600 * 1024) })]);
    const keys = new IssuerKeys({ url: ISSUER, algorithms: ['RS256'] }, options(idp));
    await expect(keys.keyFor('r1', 'RS256')).rejects.toBeInstanceOf(AuthProviderUnavailableError);
  });
});
