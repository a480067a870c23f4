import { BffError } from './bff.errors';

/**
 * A request path that breaks the path rule (`;`, `..;`, see {@link pathRuleViolation}) or would
 * escape a pass-through route's prefix; it never reaches a downstream.
 */
export class InvalidPathError extends BffError {
  readonly status = 400;
  readonly code = 'INVALID_PATH';
  constructor(message = 'The request path is not allowed') {
    super(message);
  }
}

/** A JSON body nests deeper than `BFF_JSON_MAX_DEPTH`; refused before it is parsed. */
export class BodyTooDeepError extends BffError {
  readonly status = 400;
  readonly code = 'BODY_TOO_DEEP';
  constructor(limit: number) {
    super(`The JSON body nests deeper than ${limit} levels`);
  }
}

/** The client address already holds `BFF_MAX_CONNECTIONS_PER_IP` connections. */
export class TooManyConnectionsError extends BffError {
  readonly status = 429;
  readonly code = 'TOO_MANY_CONNECTIONS';
  constructor(limit: number) {
    super(`Too many open connections from this address (limit ${limit})`);
    this.retryAfterSeconds = 1;
  }
}
