import type { SessionConfig } from '@app/config';
import { type JWTPayload, createRemoteJWKSet, jwtVerify } from 'jose';
import { request } from 'undici';
import { type LogoutRequest, logoutRequestOf } from './backchannel-logout';
import {
  InvalidLogoutTokenError,
  LoginFailedError,
  RefreshRejectedError,
  SessionBackendUnavailableError,
} from './session.errors';
import type { TokenSet } from './session.types';

/** The part of the IdP's discovery document the session lib uses. */
export interface OidcMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly end_session_endpoint?: string;
  readonly revocation_endpoint?: string;
}

/** Algorithms accepted for ID tokens; never `none` or a symmetric one. */
const ID_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** Clock skew tolerated on logout tokens (the IdP's clock is not ours). */
const LOGOUT_LEEWAY_SECONDS = 30;

/**
 * The web BFF as an OIDC relying party (confidential client, `client_secret_basic`): discovery
 * (cached, retried after a failure), authorization URL, code exchange with PKCE, refresh,
 * ID token validation with the issuer's JWKS, revocation and RP-initiated logout.
 */
export class OidcClient {
  private metadata: Promise<OidcMetadata> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly basicAuth: string;

  constructor(private readonly config: SessionConfig) {
    // RFC 6749 2.3.1: id and secret are form-encoded before base64.
    const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    this.basicAuth = `Basic ${Buffer.from(`${encode(config.clientId)}:${encode(config.clientSecret)}`).toString('base64')}`;
  }

  discover(): Promise<OidcMetadata> {
    this.metadata ??= this.fetchMetadata().catch((error: unknown) => {
      this.metadata = undefined;
      throw error;
    });
    return this.metadata;
  }

  async authorizationUrl(params: {
    state: string;
    nonce: string;
    codeChallenge: string;
  }): Promise<string> {
    const meta = await this.discover();
    const url = new URL(meta.authorization_endpoint);
    const query: Record<string, string> = {
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes,
      state: params.state,
      nonce: params.nonce,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    };
    if (this.config.resource !== undefined) query.resource = this.config.resource;
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.href;
  }

  async exchangeCode(code: string, codeVerifier: string): Promise<TokenSet> {
    const body: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.config.redirectUri,
      code_verifier: codeVerifier,
    };
    if (this.config.resource !== undefined) body.resource = this.config.resource;
    const { status, json } = await this.post('token_endpoint', body);
    if (status !== 200) {
      throw new LoginFailedError(
        `The identity provider refused the authorization code (${safeError(json)})`,
      );
    }
    return tokenSet(json);
  }

  /** Throws {@link RefreshRejectedError} when the IdP refuses the refresh token. */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const body: Record<string, string> = {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    };
    if (this.config.resource !== undefined) body.resource = this.config.resource;
    const { status, json } = await this.post('token_endpoint', body);
    if (status === 400 || status === 401) throw new RefreshRejectedError(safeError(json));
    if (status !== 200) {
      throw new SessionBackendUnavailableError('Identity provider unavailable', 'idp');
    }
    return tokenSet(json);
  }

  async verifyIdToken(idToken: string, nonce: string): Promise<JWTPayload> {
    const meta = await this.discover();
    this.jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri), {
      timeoutDuration: this.config.idpTimeoutMs,
    });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.jwks, {
        issuer: meta.issuer,
        audience: this.config.clientId,
        algorithms: ID_TOKEN_ALGORITHMS,
        clockTolerance: 30,
      }));
    } catch (error) {
      throw new LoginFailedError('The ID token is invalid', 'idp', { cause: error });
    }
    if (payload.nonce !== nonce) throw new LoginFailedError('The ID token nonce does not match');
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new LoginFailedError('The ID token has no subject');
    }
    return payload;
  }

  /**
   * Back-Channel Logout 1.0 §2.6: signature by the issuer's JWKS, `iss`, `aud` = this client, then
   * the logout claims. Any failure is an {@link InvalidLogoutTokenError} (400).
   */
  async verifyLogoutToken(logoutToken: string, now = Date.now()): Promise<LogoutRequest> {
    const meta = await this.discover();
    this.jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri), {
      timeoutDuration: this.config.idpTimeoutMs,
    });
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(logoutToken, this.jwks, {
        issuer: meta.issuer,
        audience: this.config.clientId,
        algorithms: ID_TOKEN_ALGORITHMS,
        clockTolerance: LOGOUT_LEEWAY_SECONDS,
        currentDate: new Date(now),
      }));
    } catch (error) {
      throw new InvalidLogoutTokenError('The logout token is invalid', 'idp', { cause: error });
    }
    return logoutRequestOf(payload, Math.floor(now / 1000), LOGOUT_LEEWAY_SECONDS);
  }

  /** Best effort: a failed revocation must not keep a user signed in locally. */
  async revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<void> {
    const meta = await this.discover().catch(() => undefined);
    if (meta?.revocation_endpoint === undefined) return;
    await this.post('revocation_endpoint', { token, token_type_hint: hint }).catch(() => undefined);
  }

  /** URL that ends the IdP session too (RP-initiated logout), when the IdP supports it. */
  async endSessionUrl(idTokenHint: string): Promise<string | undefined> {
    const meta = await this.discover().catch(() => undefined);
    if (meta?.end_session_endpoint === undefined) return undefined;
    const url = new URL(meta.end_session_endpoint);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('id_token_hint', idTokenHint);
    url.searchParams.set('post_logout_redirect_uri', this.config.postLogoutRedirectUri);
    return url.href;
  }

  private async fetchMetadata(): Promise<OidcMetadata> {
    const issuer = this.config.issuer.replace(/\/$/, '');
    const { status, json } = await this.call(`${issuer}/.well-known/openid-configuration`, 'GET');
    const meta = json as Partial<OidcMetadata> | undefined;
    if (
      status !== 200 ||
      meta === undefined ||
      typeof meta.authorization_endpoint !== 'string' ||
      typeof meta.token_endpoint !== 'string' ||
      typeof meta.jwks_uri !== 'string'
    ) {
      throw new SessionBackendUnavailableError('Identity provider discovery failed', 'idp');
    }
    // OIDC Discovery 4.3: the document must name the issuer we asked.
    if (meta.issuer !== this.config.issuer) {
      throw new SessionBackendUnavailableError('Identity provider issuer mismatch', 'idp');
    }
    return meta as OidcMetadata;
  }

  private async post(
    endpoint: 'token_endpoint' | 'revocation_endpoint',
    form: Record<string, string>,
  ): Promise<{ status: number; json: unknown }> {
    const meta = await this.discover();
    const url = meta[endpoint];
    if (url === undefined) throw new SessionBackendUnavailableError('No such endpoint', 'idp');
    return this.call(url, 'POST', new URLSearchParams(form).toString());
  }

  private async call(
    url: string,
    method: 'GET' | 'POST',
    body?: string,
  ): Promise<{ status: number; json: unknown }> {
    try {
      const res = await request(url, {
        method,
        body,
        headers: {
          accept: 'application/json',
          ...(body === undefined
            ? {}
            : {
                'content-type': 'application/x-www-form-urlencoded',
                authorization: this.basicAuth,
              }),
        },
        headersTimeout: this.config.idpTimeoutMs,
        bodyTimeout: this.config.idpTimeoutMs,
      });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json };
    } catch (error) {
      throw new SessionBackendUnavailableError('Identity provider unavailable', 'idp', {
        cause: error,
      });
    }
  }
}

function safeError(json: unknown): string {
  const error = (json as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' && /^[a-z_]{1,64}$/.test(error) ? error : 'unknown error';
}

function tokenSet(json: unknown): TokenSet {
  const t = (json ?? {}) as Record<string, unknown>;
  if (typeof t.access_token !== 'string' || t.access_token === '') {
    throw new SessionBackendUnavailableError('Token response without an access token', 'idp');
  }
  const expiresIn = typeof t.expires_in === 'number' && t.expires_in > 0 ? t.expires_in : 300;
  return {
    accessToken: t.access_token,
    expiresInSeconds: expiresIn,
    refreshToken: typeof t.refresh_token === 'string' ? t.refresh_token : undefined,
    idToken: typeof t.id_token === 'string' ? t.id_token : undefined,
  };
}
