import type { JWTPayload } from 'jose';
import { InvalidLogoutTokenError } from './session.errors';

/** OpenID Connect Back-Channel Logout 1.0 §2.4: the event a logout token must carry. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Oldest `iat` accepted, in seconds: a logout token is sent at once, never kept for later. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 300;

/** What a verified logout token asks: end the sessions of `sid`, or of `sub` when it has no `sid`. */
export interface LogoutRequest {
  readonly jti: string;
  readonly sid: string | undefined;
  readonly sub: string | undefined;
  /** Epoch seconds after which `jti` cannot be replayed anyway (its `iat` is then too old). */
  readonly replayUntil: number;
}

const usable = (value: unknown): value is string =>
  typeof value === 'string' && value !== '' && value.length <= 256;

/**
 * The claim checks of §2.6 once signature, `iss` and `aud` are verified: the back-channel logout
 * event, `sid` or `sub`, no `nonce` (so an ID token is never taken for a logout token), a `jti`,
 * and a recent `iat`.
 */
export function logoutRequestOf(
  payload: JWTPayload,
  nowSeconds: number,
  leewaySeconds: number,
): LogoutRequest {
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events?.[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidLogoutTokenError('Not a back-channel logout token');
  }
  if (payload.nonce !== undefined) throw new InvalidLogoutTokenError('A logout token has no nonce');
  const sid = usable(payload.sid) ? payload.sid : undefined;
  const sub = usable(payload.sub) ? payload.sub : undefined;
  if (sid === undefined && sub === undefined) {
    throw new InvalidLogoutTokenError('The logout token names no session or subject');
  }
  if (!usable(payload.jti)) throw new InvalidLogoutTokenError('The logout token has no jti');
  const iat = payload.iat;
  if (
    typeof iat !== 'number' ||
    iat > nowSeconds + leewaySeconds ||
    iat < nowSeconds - LOGOUT_TOKEN_MAX_AGE_SECONDS - leewaySeconds
  ) {
    throw new InvalidLogoutTokenError('The logout token is not recent');
  }
  return {
    jti: payload.jti,
    sid,
    sub,
    replayUntil: iat + LOGOUT_TOKEN_MAX_AGE_SECONDS + leewaySeconds,
  };
}
