/** A signed-in browser session, kept server-side only. */
export interface SessionData {
  /** `sub` of the signed-in user. */
  readonly sub: string;
  /** ID token claims shown to the SPA by `GET /auth/user` (protocol claims removed). */
  readonly user: Readonly<Record<string, unknown>>;
  readonly accessToken: string;
  /** Epoch ms after which the access token is refreshed before use. */
  readonly refreshAt: number;
  /** Epoch ms when the access token expires. */
  readonly accessTokenExpiresAt: number;
  readonly refreshToken: string | undefined;
  /** Kept for RP-initiated logout (`id_token_hint`). */
  readonly idToken: string;
  /** Epoch ms; the session ends then whatever happens. */
  readonly expiresAt: number;
  /** Epoch ms of the login; a subject revocation ends sessions started up to its cut-off. */
  readonly createdAt?: number;
  /** The IdP's session (`sid` of the ID token): back-channel logout names it. */
  readonly sid?: string;
}

/** A login in progress, between `/auth/login` and `/auth/callback`. */
export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnUrl: string;
}

/** Tokens from the IdP's token endpoint. */
export interface TokenSet {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
}
