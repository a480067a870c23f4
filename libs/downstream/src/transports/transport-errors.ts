import {
  BadUpstreamResponseError,
  DeadlineExceededError,
  DownstreamUnavailableError,
} from '@app/core';
import type { DownstreamCall } from '../downstream.types';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUTS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ECONNABORTED',
  'ETIMEDOUT',
]);

function codeOf(error: unknown): string | undefined {
  let e: unknown = error;
  // undici and axios both wrap socket errors; the errno code may sit on the cause.
  for (let depth = 0; depth < 3 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_BAD_RESPONSE') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns a transport failure into the BFF's typed errors, whichever library raised it. */
export function toTransportError(error: unknown, call: DownstreamCall): unknown {
  const name = call.service.name;
  if (call.callerSignal?.aborted) return call.callerSignal.reason ?? error;
  if (call.signal.aborted) {
    return new DeadlineExceededError(
      `Downstream ${name} did not answer within the time budget`,
      name,
      { cause: error },
    );
  }
  const code = codeOf(error);
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new DownstreamUnavailableError(`Downstream ${name} is unreachable`, name, {
      cause: error,
    });
  }
  if (code !== undefined && TIMEOUTS.has(code)) {
    return new DeadlineExceededError(`Downstream ${name} timed out`, name, { cause: error });
  }
  return new BadUpstreamResponseError(`Downstream ${name} failed to answer`, name, {
    cause: error,
  });
}
