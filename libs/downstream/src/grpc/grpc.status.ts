import {
  BadUpstreamResponseError,
  DeadlineExceededError,
  DownstreamClientError,
  DownstreamUnavailableError,
} from '@app/core';
import { type StatusObject, status as Status } from '@grpc/grpc-js';
import type { DownstreamCall } from '../downstream.types';
import { markNotRetryable } from '../retry.hints';

/** Trailer a server sets to say when to try again (gRFC A6), in ms. */
const PUSHBACK = 'grpc-retry-pushback-ms';
/**
 * grpc-js refuses an answer over `grpc.max_receive_message_length` with a RESOURCE_EXHAUSTED of its
 * own, told from a server's only by this text (grpc-js src/compression-filter.ts); such an answer
 * would be as large again, so it is not retried.
 */
const TOO_LARGE = /^Received message larger than max/;

/**
 * The one edge where gRPC statuses become the BFF's typed errors (mapped to HTTP by the global
 * filter). Only UNAVAILABLE and RESOURCE_EXHAUSTED may be retried (and only for idempotent RPCs:
 * see `RpcMethod.idempotent`); PERMISSION_DENIED and UNAUTHENTICATED mean the BFF's own
 * credentials failed, never the client's, so they are 502; INVALID_ARGUMENT and FAILED_PRECONDITION
 * are the client's answer (400/409) only when the message came from its input. The downstream's
 * details never reach the client.
 */
export function grpcStatusError(
  status: Pick<StatusObject, 'code' | 'metadata' | 'details'>,
  call: DownstreamCall,
  clientInput: boolean,
): unknown {
  const name = call.service.name;
  if (call.callerSignal?.aborted === true) return call.callerSignal.reason;
  const code = Status[status.code] ?? String(status.code);
  switch (status.code) {
    case Status.UNAVAILABLE: {
      const error = new DownstreamUnavailableError(`Downstream ${name} is unavailable`, name);
      const pushback = Number(status.metadata?.get(PUSHBACK)[0]);
      if (Number.isFinite(pushback) && pushback >= 0) error.retryAfterSeconds = pushback / 1000;
      return error;
    }
    case Status.RESOURCE_EXHAUSTED:
      if (TOO_LARGE.test(status.details ?? '')) {
        return markNotRetryable(
          new BadUpstreamResponseError(`Downstream ${name} sent a message over the limit`, name),
        );
      }
      // An overloaded downstream: retryable, a 502 when it persists.
      return new BadUpstreamResponseError(`Downstream ${name} answered ${code}`, name);
    case Status.DEADLINE_EXCEEDED:
      return markNotRetryable(
        new DeadlineExceededError(`Downstream ${name} did not answer within the time budget`, name),
      );
    case Status.CANCELLED:
      // Our deadline timer cancels the call a hair before grpc-js's own deadline fires.
      return call.signal.aborted
        ? markNotRetryable(
            new DeadlineExceededError(
              `Downstream ${name} did not answer within the time budget`,
              name,
            ),
          )
        : markNotRetryable(
            new BadUpstreamResponseError(`Downstream ${name} answered ${code}`, name),
          );
    case Status.NOT_FOUND:
      return markNotRetryable(new DownstreamClientError(404, name));
    case Status.INVALID_ARGUMENT:
    case Status.FAILED_PRECONDITION:
      if (clientInput) {
        return markNotRetryable(
          new DownstreamClientError(status.code === Status.INVALID_ARGUMENT ? 400 : 409, name),
        );
      }
      return markNotRetryable(
        new BadUpstreamResponseError(`Downstream ${name} answered ${code}`, name),
      );
    default:
      // PERMISSION_DENIED, UNAUTHENTICATED, INTERNAL, UNKNOWN, UNIMPLEMENTED, DATA_LOSS...
      return markNotRetryable(
        new BadUpstreamResponseError(`Downstream ${name} answered ${code}`, name),
      );
  }
}
