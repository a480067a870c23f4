import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startIdp } from '../apps/sandbox/src/idp/idp.server';
import type { SandboxIdp } from '../apps/sandbox/src/idp/idp.types';
import { CookieJar, walkLogin } from './support/oidc-login';
import { json } from './support/stack';

const CLIENT = {
  id: 'web-bff',
  secret: 'test-secret',
  redirect: 'http://127.0.0.1:9/auth/callback',
};
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('sandbox dev identity provider (oidc-provider)', () => {
  let idp: SandboxIdp;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    idp = await startIdp({
      accessTokenTtlSeconds: 120,
      webClients: [
        {
          clientId: CLIENT.id,
          clientSecret: CLIENT.secret,
          redirectUris: [CLIENT.redirect],
        },
      ],
    });
    jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  });

  afterAll(() => idp?.close());

  const token = (
    params: Record<string, string>,
    auth = basic('sandbox-cli', 'sandbox-cli-secret'),
  ) =>
    fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });

  const verifyAccessToken = async (jwt: string, audience: string) => {
    expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const { payload } = await jwtVerify(jwt, jwks, {
      issuer: idp.issuer,
      audience,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    return payload;
  };

  /** Runs the authorization code flow with PKCE for `userId`; returns the token response. */
  async function codeFlow(userId: string, verifier = randomBytes(32).toString('base64url')) {
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const auth = new URL(`${idp.issuer}/auth`);
    auth.search = new URLSearchParams({
      client_id: CLIENT.id,
      response_type: 'code',
      redirect_uri: CLIENT.redirect,
      scope: 'openid profile email orders:read',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const trace = await walkLogin(new CookieJar(), auth.href, userId, (u) =>
      u.startsWith(CLIENT.redirect),
    );
    const callback = new URL(trace.stoppedAt ?? 'http://missing');
    expect(callback.searchParams.get('state')).toBe('st-1');
    return { code: callback.searchParams.get('code') ?? '', verifier };
  }

  it('publishes discovery metadata and a public JWKS', async () => {
    const meta = await json(await fetch(`${idp.issuer}/.well-known/openid-configuration`));
    expect(meta).toMatchObject({
      issuer: idp.issuer,
      jwks_uri: `${idp.issuer}/jwks`,
      token_endpoint: `${idp.issuer}/token`,
      authorization_endpoint: `${idp.issuer}/auth`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    const { keys } = await json(await fetch(`${idp.issuer}/jwks`));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: expect.any(String),
    });
    expect(keys[0].d).toBeUndefined();
  });

  it('issues RFC 9068 JWT access tokens for a BFF audience with client_credentials', async () => {
    const res = await token({
      grant_type: 'client_credentials',
      resource: 'urn:bff:mobile-bff',
      scope: 'catalog:read',
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    const claims = await verifyAccessToken(body.access_token, 'mobile-bff');
    expect(claims).toMatchObject({ sub: 'sandbox-cli', scope: 'catalog:read', tier: 'internal' });
  });

  it('rejects an unknown resource indicator', async () => {
    const res = await token({ grant_type: 'client_credentials', resource: 'urn:bff:nope' });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('invalid_target');
  });

  it('mints dev tokens with the requested claims through /dev/token', async () => {
    const res = await fetch(`${idp.issuer}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        sub: 'alice',
        roles: ['admin'],
        tier: 'premium',
        aud: 'admin-bff',
        ttl: 60,
      }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 60, aud: 'admin-bff' });
    const claims = await verifyAccessToken(body.access_token, 'admin-bff');
    expect(claims).toMatchObject({
      sub: 'alice',
      roles: ['admin'],
      tier: 'premium',
      client_id: 'sandbox-cli',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
    // Every API scope by default, the admin BFF's included.
    expect(String(claims.scope).split(' ')).toEqual(
      expect.arrayContaining([
        'users:read',
        'orders:read',
        'orders:write',
        'ops:read',
        'cache:purge',
      ]),
    );
  });

  it.each([
    [{ roles: ['admin'] }, /sub/],
    [{ sub: 'alice', aud: 'other-bff' }, /aud/],
    [{ sub: 'alice', tier: 'gold' }, /tier/],
    [{ sub: 'alice', ttl: 0 }, /ttl/],
    [{ sub: 'alice', roles: ['<script>'] }, /roles/],
  ])('refuses a bad dev token request %j with 400', async (input, message) => {
    const res = await fetch(`${idp.issuer}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatch(message);
  });

  it('signs a seeded user in with the code flow and PKCE; tokens carry roles, tier, org_id', async () => {
    idp.resetStats();
    const { code, verifier } = await codeFlow('usr_0001');
    const res = await token(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CLIENT.redirect,
        code_verifier: verifier,
      },
      basic(CLIENT.id, CLIENT.secret),
    );
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.expires_in).toBe(120);
    expect(body.refresh_token).toEqual(expect.any(String));
    const at = await verifyAccessToken(body.access_token, 'web-bff');
    expect(at).toMatchObject({
      sub: 'usr_0001',
      roles: ['admin'],
      tier: expect.stringMatching(/^(standard|premium)$/),
      org_id: 'org_internal',
      scope: 'orders:read',
      client_id: CLIENT.id,
    });
    const { payload: id } = await jwtVerify(body.id_token, jwks, {
      issuer: idp.issuer,
      audience: CLIENT.id,
    });
    expect(id).toMatchObject({
      sub: 'usr_0001',
      nonce: 'n-1',
      roles: ['admin'],
      email: expect.any(String),
    });

    // Refresh rotates the refresh token; the old one is then refused.
    const refreshed = await token(
      { grant_type: 'refresh_token', refresh_token: body.refresh_token },
      basic(CLIENT.id, CLIENT.secret),
    );
    expect(refreshed.status).toBe(200);
    const next = await json(refreshed);
    expect(next.refresh_token).not.toBe(body.refresh_token);
    expect(await verifyAccessToken(next.access_token, 'web-bff')).toMatchObject({
      sub: 'usr_0001',
    });
    const replay = await token(
      { grant_type: 'refresh_token', refresh_token: body.refresh_token },
      basic(CLIENT.id, CLIENT.secret),
    );
    expect(replay.status).toBe(400);
    expect((await json(replay)).error).toBe('invalid_grant');
    expect(idp.grants('authorization_code')).toBe(1);
    expect(idp.grants('refresh_token')).toBe(1);
  });

  it('refuses a code redeemed with the wrong PKCE verifier', async () => {
    const { code } = await codeFlow('usr_0004');
    const res = await token(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CLIENT.redirect,
        code_verifier: randomBytes(32).toString('base64url'),
      },
      basic(CLIENT.id, CLIENT.secret),
    );
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('invalid_grant');
  });

  it('requires PKCE at the authorization endpoint', async () => {
    const auth = new URL(`${idp.issuer}/auth`);
    auth.search = new URLSearchParams({
      client_id: CLIENT.id,
      response_type: 'code',
      redirect_uri: CLIENT.redirect,
      scope: 'openid',
      state: 's',
    }).toString();
    const res = await fetch(auth, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? 'http://missing');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses to sign in an unknown user id', async () => {
    const jar = new CookieJar();
    const auth = new URL(`${idp.issuer}/auth`);
    auth.search = new URLSearchParams({
      client_id: CLIENT.id,
      response_type: 'code',
      redirect_uri: CLIENT.redirect,
      scope: 'openid',
      code_challenge: createHash('sha256').update('x'.repeat(43)).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const start = await jar.fetch(auth.href);
    const interaction = new URL(start.headers.get('location') ?? '', idp.issuer).href;
    expect(await (await jar.fetch(interaction)).text()).toContain('Sandbox sign-in');
    const res = await jar.fetch(`${interaction}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=usr_9999',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Unknown or suspended user &quot;usr_9999&quot;');
  });
});
