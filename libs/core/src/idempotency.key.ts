import type { IncomingHttpHeaders } from 'node:http';
import { BffError } from './bff.errors';

/** An `Idempotency-Key` the BFF will not pass on: empty, too long, repeated or not printable. */
export class InvalidIdempotencyKeyError extends BffError {
  readonly status = 400;
  readonly code = 'INVALID_IDEMPOTENCY_KEY';
  constructor() {
    super('Idempotency-Key must be 1 to 255 printable ASCII characters, sent once');
  }
}

// Visible ASCII (a structured-field string's quotes included), as Stripe and the IETF draft use.
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The client's `Idempotency-Key` on a POST or PATCH (undefined without one, or on other methods),
 * or the error to answer when the key cannot be passed on as it is.
 */
export function idempotencyKeyOf(
  method: string,
  headers: IncomingHttpHeaders,
): string | undefined | InvalidIdempotencyKeyError {
  if (method !== 'POST' && method !== 'PATCH') return undefined;
  const key = headers['idempotency-key'];
  if (key === undefined) return undefined;
  // Node joins repeated unknown headers with ", ": a list is not one key.
  return typeof key === 'string' && KEY.test(key) ? key : new InvalidIdempotencyKeyError();
}
