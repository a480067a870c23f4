import type { AuthConfig, OidcAlgorithm } from '@app/config';
import type { Principal } from '@app/core';
import { PassportStrategy } from '@nestjs/passport';
import { createSecretKey, type KeyObject } from 'node:crypto';
import passport from 'passport';
import { Strategy } from 'passport-jwt';
import { InvalidCredentialsError } from './auth.errors';
import type { JwksCache } from './jwks.cache';
import {
  type DecodedJwt,
  type JwtClaims,
  assertAccessToken,
  principalFromClaims,
} from './jwt.token';

/** Where the guard leaves the token it already decoded, so strategies do not split it again. */
export const DECODED_TOKEN = Symbol('bff.decodedToken');

export interface WithDecodedToken {
  [DECODED_TOKEN]?: DecodedJwt;
}

export const OIDC_STRATEGY = 'bff-oidc';
export const INTERNAL_STRATEGY = 'bff-internal';

/**
 * The @nestjs/passport mixin registers every strategy on passport's process-wide singleton, where
 * two apps in one process (tests, `npm start` variants) would overwrite each other's audience.
 * Strategies therefore hand that registration to this unused authenticator; {@link AuthModule}
 * registers them on the app's own one.
 */
const detached = new passport.Authenticator();

/** passport-jwt types the key as string | Buffer; jsonwebtoken, which it calls, takes KeyObjects. */
type KeyDone = (error: unknown, key?: string | Buffer) => void;
const asKey = (key: KeyObject): Buffer => key as unknown as Buffer;

const fromDecoded = (request: WithDecodedToken): string | null =>
  request[DECODED_TOKEN]?.raw ?? null;

export interface JwtCheckSettings {
  audience: string;
  auth: AuthConfig;
}

/**
 * Bearer JWTs of the configured OIDC issuers. The issuer is picked from the allow-list by the
 * (unverified) `iss`; the algorithms accepted are that issuer's, never whatever the header says,
 * and the key must be of the algorithm's type, so `none` and HS256-with-the-RSA-key both fail.
 * jsonwebtoken then verifies signature, `iss`, `aud`, `exp` and `nbf` (with leeway).
 */
export class OidcJwtStrategy extends PassportStrategy(Strategy) {
  constructor(jwks: JwksCache, settings: JwtCheckSettings) {
    const algorithms = [...new Set(settings.auth.oidcIssuers.flatMap((i) => i.algorithms))];
    super({
      jwtFromRequest: fromDecoded,
      secretOrKeyProvider: (request: WithDecodedToken, _raw: string, done: KeyDone) => {
        oidcKey(jwks, request[DECODED_TOKEN], settings.auth.tokenTypes).then(
          (key) => done(null, asKey(key)),
          (error: unknown) => done(error),
        );
      },
      issuer: jwks.urls(),
      audience: settings.audience,
      algorithms,
      jsonWebTokenOptions: { clockTolerance: settings.auth.clockLeewaySeconds },
    });
  }

  protected getPassportInstance(): passport.Authenticator {
    return detached;
  }

  validate(payload: JwtClaims): Principal {
    // A client-credentials token names the client itself as subject.
    const client = payload.client_id ?? payload.azp;
    return principalFromClaims(
      payload,
      client !== undefined && client === payload.sub ? 'service' : 'user',
    );
  }
}

async function oidcKey(
  jwks: JwksCache,
  token: DecodedJwt | undefined,
  tokenTypes: readonly string[],
): Promise<KeyObject> {
  if (token === undefined) throw new InvalidCredentialsError('Malformed token', 'malformed');
  assertAccessToken(token, tokenTypes);
  const issuer = jwks.issuer(String(token.payload.iss));
  if (issuer === undefined)
    throw new InvalidCredentialsError('Untrusted token issuer', 'untrusted_issuer');
  const alg = token.header.alg as OidcAlgorithm;
  if (!issuer.issuer.algorithms.includes(alg)) {
    throw new InvalidCredentialsError('Token algorithm not accepted for this issuer', 'bad_alg');
  }
  return issuer.keyFor(token.header.kid, alg);
}

/** HS256 tokens of internal callers, with their own secret and issuer (never an OIDC issuer's). */
export class InternalJwtStrategy extends PassportStrategy(Strategy) {
  constructor(settings: JwtCheckSettings & { secret: string; issuer: string }) {
    const key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
    super({
      jwtFromRequest: fromDecoded,
      secretOrKeyProvider: (request: WithDecodedToken, _raw: string, done: KeyDone) => {
        try {
          const token = request[DECODED_TOKEN];
          if (token === undefined)
            throw new InvalidCredentialsError('Malformed token', 'malformed');
          assertAccessToken(token, settings.auth.tokenTypes);
          if (token.header.alg !== 'HS256') {
            throw new InvalidCredentialsError(
              'Token algorithm not accepted for this issuer',
              'bad_alg',
            );
          }
          done(null, asKey(key));
        } catch (error) {
          done(error);
        }
      },
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['HS256'],
      jsonWebTokenOptions: { clockTolerance: settings.auth.clockLeewaySeconds },
    });
  }

  protected getPassportInstance(): passport.Authenticator {
    return detached;
  }

  validate(payload: JwtClaims): Principal {
    return principalFromClaims(payload, 'service', 'internal');
  }
}
