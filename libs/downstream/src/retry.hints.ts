/**
 * Failures a transport knows must not be sent again although they count against the service (a
 * gRPC INTERNAL or DEADLINE_EXCEEDED: only UNAVAILABLE and RESOURCE_EXHAUSTED are safe to retry).
 * A WeakSet, not a field: typed errors stay the BFF's own, and no stack trace is captured twice.
 */
const notRetryable = new WeakSet<object>();

/** Marks `error` so no retry policy sends its call again; returns it. */
export function markNotRetryable<E extends object>(error: E): E {
  notRetryable.add(error);
  return error;
}

/** False when the transport said the failure must not be retried. */
export function isRetryableFailure(error: unknown): boolean {
  return typeof error !== 'object' || error === null || !notRetryable.has(error);
}
