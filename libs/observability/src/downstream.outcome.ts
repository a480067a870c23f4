import { isBffError } from '@app/core';
import type { DownstreamCall } from '@app/downstream';
import type { DownstreamOutcome } from './metrics.registry';

/** A bounded label for how a downstream attempt ended, from the typed error the status step raised. */
export function downstreamOutcome(error: unknown, call: DownstreamCall): DownstreamOutcome {
  if (error === undefined) return 'success';
  // First: a cancelled call may carry the reason of a sibling's failure as its error.
  if (call.callerSignal?.aborted === true) return 'cancelled';
  if (!isBffError(error)) return 'error';
  if (error.status === 504) return 'timeout';
  if (error.status === 503) return 'unavailable';
  if (error.status < 500) return 'client_error';
  return 'bad_response';
}

/** The downstream's own status when the error mirrors it (4xx), for span attributes. */
export function downstreamStatus(error: unknown): number | undefined {
  return isBffError(error) && error.status < 500 ? error.status : undefined;
}
