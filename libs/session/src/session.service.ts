import type { RevocationStore } from '@app/auth';
import type { SessionConfig } from '@app/config';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OidcClient } from './oidc.client';
import { InvalidLogoutTokenError, LoginFailedError, RefreshRejectedError } from './session.errors';
import { sessionMetrics } from './session.metrics';
import type { SessionStore } from './session.store';
import type { PendingLogin, SessionData, TokenSet } from './session.types';

/** What sessions need of the auth lib's revocation store. */
export type SessionRevocations = Pick<RevocationStore, 'isSessionRevoked' | 'revokeSessions'>;

const random = (): string => randomBytes(32).toString('base64url');
// Stores see hashes only: a leaked store dump holds no usable cookie.
const hashed = (prefix: string, id: string): string =>
  prefix + createHash('sha256').update(id).digest('base64url');
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** Protocol claims of the ID token that mean nothing to the SPA. */
const PROTOCOL_CLAIMS = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'azp',
  'auth_time',
  'sid',
  'acr',
  'amr',
]);

/** How long other instances wait for the one refreshing a session (matches the lock). */
const REFRESH_LOCK_MS = 10_000;
const REFRESH_POLL_MS = 50;

const sameString = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The server side of SPA sessions (the BFF pattern): login with the authorization code flow and
 * PKCE, tokens kept in the store, refresh once per session however many requests need it.
 */
export class SessionService {
  private readonly inflight = new Map<string, Promise<SessionData | undefined>>();
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    readonly config: SessionConfig,
    private readonly oidc: OidcClient,
    private readonly store: SessionStore,
    /** Pending logins; separate in memory so a flood of `/auth/login` cannot evict sessions. */
    private readonly logins: SessionStore = store,
    private readonly now: () => number = Date.now,
    /** The auth lib's revocation store: revoked subjects and ended IdP sessions, on every instance. */
    private readonly revocations: () => SessionRevocations | undefined = () => undefined,
  ) {
    this.allowedOrigins = new Set([...config.spaOrigins, new URL(config.redirectUri).origin]);
  }

  /** Starts a login; the caller sets the returned `loginId` as a short-lived cookie. */
  async startLogin(returnTo: string | undefined): Promise<{ url: string; loginId: string }> {
    const pending: PendingLogin = {
      state: random(),
      nonce: random(),
      codeVerifier: random(),
      returnUrl: this.safeReturnUrl(returnTo),
    };
    const url = await this.oidc.authorizationUrl({
      state: pending.state,
      nonce: pending.nonce,
      codeChallenge: createHash('sha256').update(pending.codeVerifier).digest('base64url'),
    });
    const loginId = random();
    await this.logins.set(hashed('login:', loginId), pending, this.config.loginTtlSeconds * 1000);
    return { url, loginId };
  }

  /** Completes a login from the IdP's redirect; the pending login is consumed whatever happens. */
  async completeLogin(
    loginId: string | undefined,
    query: Readonly<Record<string, unknown>>,
  ): Promise<{ sessionId: string; returnUrl: string; maxAgeSeconds: number }> {
    if (loginId === undefined || !COOKIE_VALUE.test(loginId)) {
      throw new LoginFailedError('No login in progress in this browser');
    }
    const pending = await this.logins.take<PendingLogin>(hashed('login:', loginId));
    if (pending === undefined) throw new LoginFailedError('The login expired or was already used');
    if (typeof query.error === 'string') {
      throw new LoginFailedError(
        `The identity provider refused the login (${/^[a-z_]{1,64}$/.test(query.error) ? query.error : 'error'})`,
      );
    }
    if (typeof query.state !== 'string' || !sameString(query.state, pending.state)) {
      throw new LoginFailedError('The login state does not match');
    }
    // RFC 9207: when the IdP names itself, it must be the one we sent the browser to.
    if (query.iss !== undefined && query.iss !== this.config.issuer) {
      throw new LoginFailedError('The authorization response comes from another issuer');
    }
    if (typeof query.code !== 'string' || query.code === '' || query.code.length > 2048) {
      throw new LoginFailedError('The authorization response has no code');
    }
    const tokens = await this.oidc.exchangeCode(query.code, pending.codeVerifier);
    if (tokens.idToken === undefined) throw new LoginFailedError('The IdP sent no ID token');
    const claims = await this.oidc.verifyIdToken(tokens.idToken, pending.nonce);
    const user: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(claims)) if (!PROTOCOL_CLAIMS.has(k)) user[k] = v;

    const now = this.now();
    const session: SessionData = {
      sub: String(claims.sub),
      user,
      ...this.tokenFields(tokens, now, undefined),
      idToken: tokens.idToken,
      expiresAt: now + this.config.ttlSeconds * 1000,
      createdAt: now,
      ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}),
    };
    const sessionId = random();
    await this.store.set(hashed('session:', sessionId), session, this.config.ttlSeconds * 1000);
    sessionMetrics.logins.inc();
    return { sessionId, returnUrl: pending.returnUrl, maxAgeSeconds: this.config.ttlSeconds };
  }

  /**
   * The session behind a cookie with a usable access token, refreshed first when it is near
   * expiry; undefined when there is no (longer a) session.
   */
  async resolve(sessionId: string): Promise<SessionData | undefined> {
    if (!COOKIE_VALUE.test(sessionId)) return undefined;
    const key = hashed('session:', sessionId);
    const session = await this.store.get<SessionData>(key);
    if (session === undefined) return undefined;
    const now = this.now();
    if (session.expiresAt <= now) return undefined;
    if (this.revoked(session)) {
      sessionMetrics.logouts.inc();
      return this.end(key);
    }
    if (now < session.refreshAt) return session;
    // Single flight per session in this process; the store lock covers other instances.
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.refresh(key, session).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** Ends the session; returns the IdP logout URL when the IdP supports RP-initiated logout. */
  async logout(sessionId: string | undefined): Promise<{ endSessionUrl?: string }> {
    if (sessionId === undefined || !COOKIE_VALUE.test(sessionId)) return {};
    const session = await this.store.take<SessionData>(hashed('session:', sessionId));
    if (session === undefined) return {};
    sessionMetrics.logouts.inc();
    if (session.refreshToken !== undefined) {
      await this.oidc.revoke(session.refreshToken, 'refresh_token');
    }
    const endSessionUrl = await this.oidc.endSessionUrl(session.idToken);
    return endSessionUrl === undefined ? {} : { endSessionUrl };
  }

  /** Only absolute URLs on an allowed origin or same-origin paths; anything else goes home. */
  safeReturnUrl(returnTo: string | undefined): string {
    if (returnTo === undefined || returnTo === '' || returnTo.length > 2048) {
      return this.config.defaultReturnUrl;
    }
    if (returnTo.startsWith('/') && !returnTo.startsWith('//') && !returnTo.includes('\\')) {
      return returnTo;
    }
    const url = URL.parse(returnTo);
    return url !== null && this.allowedOrigins.has(url.origin)
      ? url.href
      : this.config.defaultReturnUrl;
  }

  private tokenFields(tokens: TokenSet, now: number, previousRefreshToken: string | undefined) {
    const lifetimeMs = tokens.expiresInSeconds * 1000;
    // Refresh `skew` early, but never before half the lifetime (short-lived tokens, clock drift).
    const earlyMs = Math.min(this.config.refreshSkewSeconds * 1000, lifetimeMs / 2);
    return {
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - earlyMs,
      // Without rotation the IdP sends no new refresh token: keep the old one.
      refreshToken: tokens.refreshToken ?? previousRefreshToken,
    };
  }

  private async refresh(key: string, seen: SessionData): Promise<SessionData | undefined> {
    const release = await this.store.lock(`refresh:${key}`, REFRESH_LOCK_MS);
    if (release === undefined) return this.awaitOtherInstance(key, seen);
    try {
      // Another instance may have refreshed between our read and the lock.
      const current = await this.store.get<SessionData>(key);
      if (current === undefined) return undefined;
      if (current.accessToken !== seen.accessToken && this.now() < current.refreshAt) {
        return current;
      }
      return await this.refreshNow(key, current);
    } finally {
      await release();
    }
  }

  private async refreshNow(key: string, session: SessionData): Promise<SessionData | undefined> {
    const now = this.now();
    if (session.refreshToken === undefined) {
      return now < session.accessTokenExpiresAt ? session : this.end(key);
    }
    let tokens: TokenSet;
    try {
      tokens = await this.oidc.refresh(session.refreshToken);
    } catch (error) {
      if (error instanceof RefreshRejectedError) {
        sessionMetrics.refreshes.inc({ outcome: 'rejected' });
        return this.end(key);
      }
      sessionMetrics.refreshes.inc({ outcome: 'error' });
      // The IdP is down: a still-valid token keeps working until it really expires.
      if (now < session.accessTokenExpiresAt) return session;
      throw error;
    }
    sessionMetrics.refreshes.inc({ outcome: 'ok' });
    const updated: SessionData = {
      ...session,
      ...this.tokenFields(tokens, this.now(), session.refreshToken),
    };
    await this.store.set(key, updated, Math.max(1, session.expiresAt - this.now()));
    return updated;
  }

  /** Another instance holds the refresh lock: wait for its result instead of refreshing twice. */
  private async awaitOtherInstance(
    key: string,
    seen: SessionData,
  ): Promise<SessionData | undefined> {
    const deadline = this.now() + REFRESH_LOCK_MS;
    while (this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
      const current = await this.store.get<SessionData>(key);
      if (current === undefined) return undefined;
      if (current.accessToken !== seen.accessToken) return current;
    }
    return this.now() < seen.accessTokenExpiresAt ? seen : undefined;
  }

  /**
   * OIDC Back-Channel Logout 1.0: verifies the IdP's logout token, refuses a replayed `jti`
   * (shared store), and ends the sessions of its `sid` (else of its `sub`) on every instance.
   */
  async backchannelLogout(logoutToken: unknown): Promise<void> {
    if (typeof logoutToken !== 'string' || logoutToken === '' || logoutToken.length > 16_384) {
      throw new InvalidLogoutTokenError('logout_token is required');
    }
    const request = await this.oidc.verifyLogoutToken(logoutToken, this.now());
    const revocations = this.revocations();
    if (revocations === undefined) {
      throw new InvalidLogoutTokenError('Back-channel logout is not available');
    }
    // Kept until the token would be refused as too old anyway.
    const replayMs = Math.max(1_000, request.replayUntil * 1000 - this.now());
    const first = await this.logins.lock(`bcl-jti:${request.jti}`, replayMs);
    if (first === undefined) throw new InvalidLogoutTokenError('The logout token was already used');
    const target =
      request.sid !== undefined ? { sid: request.sid } : { subject: request.sub ?? '' };
    await revocations.revokeSessions(target, 'back-channel logout', 'idp');
    sessionMetrics.logouts.inc();
  }

  /** Ended by a revocation: its subject's cut-off, or a back-channel logout of it or its IdP session. */
  private revoked(session: SessionData): boolean {
    const revocations = this.revocations();
    if (revocations === undefined) return false;
    // Sessions from before `createdAt` was recorded: their start is their end minus the TTL.
    const started = session.createdAt ?? session.expiresAt - this.config.ttlSeconds * 1000;
    return revocations.isSessionRevoked(session.sub, session.sid, started);
  }

  private async end(key: string): Promise<undefined> {
    await this.store.delete(key);
    return undefined;
  }
}
