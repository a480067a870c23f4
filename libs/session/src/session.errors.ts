import { BffError } from '@app/core';

/** A cookie-authenticated call without the anti-forgery header `X-CSRF: 1`. */
export class CsrfHeaderRequiredError extends BffError {
  readonly status = 401;
  readonly code = 'CSRF_HEADER_REQUIRED';
  constructor() {
    super('Cookie-authenticated requests must send the header X-CSRF: 1');
  }
}

/** No valid session (never signed in, signed out, or expired). */
export class SessionRequiredError extends BffError {
  readonly status = 401;
  readonly code = 'SESSION_REQUIRED';
  constructor() {
    super('Not signed in');
  }
}

/** The callback does not complete a login this browser started (state, PKCE, nonce, IdP error). */
export class LoginFailedError extends BffError {
  readonly status = 400;
  readonly code = 'LOGIN_FAILED';
}

/** A back-channel logout request whose logout token is missing, invalid or replayed. */
export class InvalidLogoutTokenError extends BffError {
  readonly status = 400;
  readonly code = 'INVALID_LOGOUT_TOKEN';
}

/** The IdP or the session store cannot be reached or answered something unusable. */
export class SessionBackendUnavailableError extends BffError {
  readonly status = 503;
  readonly code = 'SESSION_BACKEND_UNAVAILABLE';
}

/** The IdP refused a refresh token (revoked, expired, reused): the session is over. */
export class RefreshRejectedError extends Error {}
