import {
  type KeyObject,
  createHmac,
  generateKeyPairSync,
  randomUUID,
  sign as cryptoSign,
} from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test identities for e2e specs.
 * - {@link startTestIssuer}: a real OIDC issuer over HTTP (discovery + JWKS), whose tokens the BFFs
 *   verify exactly like the sandbox IdP's; counts JWKS fetches and can rotate keys.
 * - {@link internalHeaders}: HS256 internal tokens with the secret `sandboxEnv()` configures, for
 *   specs that just need an authenticated caller (no server to start).
 */

export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  roles?: string[];
  scope?: string;
  tier?: string;
  org_id?: string;
  client_id?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  [claim: string]: unknown;
}

export interface TokenOptions {
  /** Header `kid`; default the issuer's current key. `null` leaves it out. */
  kid?: string | null;
  /** Header `typ`; default `at+jwt`. `null` leaves it out. */
  typ?: string | null;
  /** Signs with this key instead of the issuer's (forged signature). */
  key?: KeyObject;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Compact JWS from any header and payload, signed by `sign` (or unsigned when it returns ''). */
export function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: (input: Buffer) => Buffer | string,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = sign(Buffer.from(input));
  return `${input}.${typeof signature === 'string' ? signature : signature.toString('base64url')}`;
}

export const hs256 =
  (secret: string | Buffer) =>
  (input: Buffer): Buffer =>
    createHmac('sha256', secret).update(input).digest();

const rs256 =
  (key: KeyObject) =>
  (input: Buffer): Buffer =>
    cryptoSign('sha256', input, key);

const now = (): number => Math.floor(Date.now() / 1000);

/** Authorization header for a token. */
export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

let sharedKey: TestKey | undefined;

/** RSA generation is slow: one key per process unless a spec asks for fresh ones. */
function rsaKey(fresh = false): TestKey {
  const make = (): TestKey => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { kid: randomUUID(), privateKey, publicKey };
  };
  if (fresh) return make();
  sharedKey ??= make();
  return sharedKey;
}

export interface TestIssuer {
  /** Issuer identifier (`iss`), also the base URL of discovery and JWKS. */
  readonly url: string;
  /** `AUTH_OIDC_ISSUERS` pointing a BFF at this issuer. */
  readonly env: Record<string, string>;
  /** The key currently used to sign; its public half is in the JWKS. */
  readonly current: TestKey;
  /** Signs an access token (RS256) with sensible defaults: sub usr_0001, aud web-bff, 5 minutes. */
  token(claims?: TokenClaims, options?: TokenOptions): string;
  /** Bearer header of {@link token}. */
  headers(claims?: TokenClaims, options?: TokenOptions): Record<string, string>;
  /** Publishes a new key in the JWKS and signs with it from now on; returns its kid. */
  rotate(): string;
  /** JWKS requests served since start. */
  jwksHits(): number;
  close(): Promise<void>;
}

export interface TestIssuerOptions {
  /** Holds every JWKS answer this long (a slow or hung IdP); `close()` cuts the ones pending. */
  jwksDelayMs?: number;
}

/** Starts an OIDC issuer on an ephemeral loopback port: discovery document and JWKS. */
export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const keys: TestKey[] = [rsaKey()];
  let jwksHits = 0;
  let url = '';
  const server: Server = createServer((req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      return send({
        issuer: url,
        jwks_uri: `${url}/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.url === '/jwks') {
      jwksHits++;
      const keySet = () => ({
        keys: keys.map((k) => ({
          ...k.publicKey.export({ format: 'jwk' }),
          kid: k.kid,
          alg: 'RS256',
          use: 'sig',
        })),
      });
      if (options.jwksDelayMs === undefined) return send(keySet());
      const timer = setTimeout(() => send(keySet()), options.jwksDelayMs);
      res.once('close', () => clearTimeout(timer));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer: TestIssuer = {
    url,
    env: { AUTH_OIDC_ISSUERS: url },
    get current() {
      return keys[keys.length - 1];
    },
    token(claims = {}, options = {}) {
      const key = keys[keys.length - 1];
      const header: Record<string, unknown> = { alg: 'RS256' };
      const typ = options.typ === undefined ? 'at+jwt' : options.typ;
      if (typ !== null) header.typ = typ;
      const kid = options.kid === undefined ? key.kid : options.kid;
      if (kid !== null) header.kid = kid;
      const iat = now();
      const payload = {
        iss: url,
        sub: 'usr_0001',
        aud: 'web-bff',
        client_id: 'test-client',
        jti: randomUUID(),
        scope: 'orders:read',
        roles: [],
        tier: 'standard',
        iat,
        exp: iat + 300,
        ...claims,
      };
      return signJwt(header, payload, rs256(options.key ?? key.privateKey));
    },
    headers(claims, options) {
      return bearer(issuer.token(claims, options));
    },
    rotate() {
      const key = rsaKey(true);
      keys.push(key);
      return key.kid;
    },
    jwksHits: () => jwksHits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return issuer;
}

/** Every scope the admin BFF's routes require (README, "Scopes"), for admin tokens of tests. */
export const ADMIN_SCOPES = 'users:read orders:read orders:write ops:read cache:purge';

/** The internal HS256 secret `sandboxEnv()` gives every test app. */
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdef';
export const TEST_INTERNAL_ISSUER = 'bff-internal';

/** An internal (HS256) token: a trusted service calling a BFF. */
export function internalToken(claims: TokenClaims = {}): string {
  const iat = now();
  return signJwt(
    { alg: 'HS256', typ: 'at+jwt' },
    {
      iss: TEST_INTERNAL_ISSUER,
      sub: 'svc-test',
      aud: 'web-bff',
      roles: [],
      iat,
      exp: iat + 300,
      ...claims,
    },
    hs256(TEST_INTERNAL_SECRET),
  );
}

/**
 * Headers of an authenticated internal caller, e.g. `internalHeaders({ aud: 'admin-bff', roles:
 * ['admin'] })` for admin-bff routes.
 */
export const internalHeaders = (claims: TokenClaims = {}): Record<string, string> =>
  bearer(internalToken(claims));
