import { DeadlineExceededError, isBffError } from '@app/core';
import type { DownstreamCall } from '@app/downstream';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Idempotent methods, or any request carrying an `Idempotency-Key`, may be sent again. */
export function isRetryableRequest(call: DownstreamCall): boolean {
  // A streamed (pass-through) body is consumed by the first attempt and cannot be sent again.
  if (call.body !== undefined && typeof call.body !== 'string') return false;
  // A contract's own word (a gRPC method's idempotency_level) beats the HTTP method.
  if (call.idempotent !== undefined) return call.idempotent;
  if (IDEMPOTENT.has(call.method)) return true;
  // Headers keep the caller's spelling; the two usual ones are checked instead of scanning them all.
  const key = call.headers['idempotency-key'] ?? call.headers['Idempotency-Key'];
  return key !== undefined && key !== '';
}

/**
 * Whether an error says the downstream is unhealthy: 5xx typed errors (502 bad response, 503
 * unavailable or unreachable, 504 timeout). 4xx `DownstreamClientError`s are the caller's
 * problem, and anything untyped is a bug of ours, not of the service.
 */
export function isUnhealthy(error: unknown): boolean {
  return isBffError(error) && error.status >= 500;
}

/** Errors the policies raise themselves (open circuit, full bulkhead, budget spent in a queue). */
const refusals = new WeakSet<object>();

/** Marks an error as raised by a policy, not by the service: no breaker counts it, no retry resends. */
export function refusal<E extends object>(error: E): E {
  refusals.add(error);
  return error;
}

/**
 * Whether a failed attempt counts against the service (breaker) and may be retried: it is
 * unhealthy, was not raised by a policy, and the caller did not give up (a sibling part failing
 * says nothing about the service).
 */
export function isServiceFailure(error: unknown, call: DownstreamCall): boolean {
  if (call.callerSignal?.aborted === true || !isUnhealthy(error)) return false;
  return typeof error !== 'object' || error === null || !refusals.has(error);
}

/** What a call cancelled inside a policy (cockatiel's TaskCancelledError) reports. */
export function cancelledError(call: DownstreamCall, cancelled: unknown): unknown {
  if (call.callerSignal?.aborted === true) return call.callerSignal.reason ?? cancelled;
  const name = call.service.name;
  return refusal(new DeadlineExceededError(`No time left to call ${name}`, name));
}

/**
 * What one failed attempt means for the cockatiel policy running it. Wrapping the error lets the
 * breaker and the retry decide from facts about the call (caller cancellation, budget, method)
 * that cockatiel's error filters cannot see. Never leaves a policy (unwrapped on the way out), so
 * it is a plain object: no stack trace captured per failure during an outage.
 */
export class AttemptFailure {
  constructor(
    /** What the layers below threw. */
    readonly error: unknown,
    /** Counted as a failure by the circuit breaker. */
    readonly unhealthy: boolean,
    /** Backoff before the next attempt; undefined when the call must not be retried. */
    readonly retryDelayMs: number | undefined,
  ) {}
}
