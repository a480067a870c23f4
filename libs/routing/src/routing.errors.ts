import { BffError } from '@app/core';

/** A request path that is malformed or would escape its route's prefix (core's, shared with the path rule). */
export { InvalidPathError } from '@app/core';

/** The route exists but does not accept this method (the `Allow` header lists the ones it does). */
export class MethodNotAllowedError extends BffError {
  readonly status = 405;
  readonly code = 'METHOD_NOT_ALLOWED';
}

/** The request body exceeds the route's limit. */
export class PayloadTooLargeError extends BffError {
  readonly status = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** A request of a REST-to-gRPC route that does not fit the RPC's request message. */
export class InvalidRequestMessageError extends BffError {
  readonly status = 400;
  readonly code = 'INVALID_REQUEST';
}
