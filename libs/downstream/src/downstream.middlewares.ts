import {
  BadUpstreamResponseError,
  DeadlineExceededError,
  DownstreamClientError,
  DownstreamUnavailableError,
  REQUEST_ID_HEADER,
  RequestContextStore,
  childTraceparent,
} from '@app/core';
import type {
  DownstreamCall,
  DownstreamMiddleware,
  DownstreamObserver,
  RawResponse,
} from './downstream.types';

/** Header telling the downstream how many milliseconds it has left. */
export const BUDGET_HEADER = 'x-request-timeout-ms';

/**
 * Gives the call what is left of the endpoint budget (minus a margin), capped by the service's own
 * timeout, as an AbortSignal; fails at once when nothing is left.
 */
export function deadlineMiddleware(marginMs: number): DownstreamMiddleware {
  return (next) => (call) => {
    const ctx = RequestContextStore.current();
    const left =
      ctx === undefined ? Number.POSITIVE_INFINITY : ctx.deadlineAt - performance.now() - marginMs;
    const budget = Math.floor(Math.min(left, call.service.timeoutMs));
    if (budget <= 0) {
      return Promise.reject(
        new DeadlineExceededError(`No time left to call ${call.service.name}`, call.service.name),
      );
    }
    // One signal for the whole call: retries below share it, so none can outlive the budget.
    // A plain controller and a timer cleared on completion, not AbortSignal.timeout/any: those
    // keep every signal (and the call it references) alive until the budget ends, seconds after
    // the answer, which showed up as old-space growth and GC time under load.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(timeoutReason(call.service.name)), budget);
    const caller = call.callerSignal;
    let onCallerAbort: (() => void) | undefined;
    if (caller !== undefined) {
      if (caller.aborted) controller.abort(caller.reason);
      else {
        onCallerAbort = () => controller.abort(caller.reason);
        caller.addEventListener('abort', onCallerAbort, { once: true });
      }
    }
    call.signal = controller.signal;
    call.deadlineAt = performance.now() + budget;
    call.headers[BUDGET_HEADER] = String(budget);
    return next(call).finally(() => {
      clearTimeout(timer);
      if (onCallerAbort !== undefined) caller?.removeEventListener('abort', onCallerAbort);
    });
  };
}

function timeoutReason(service: string): DOMException {
  return new DOMException(`The time budget of the call to ${service} ran out`, 'TimeoutError');
}

/**
 * Milliseconds left of the call's budget, written again in the budget header; for policies that
 * send another attempt of the same call (retries).
 */
export function refreshBudgetHeader(call: DownstreamCall, now = performance.now()): number {
  const left = call.deadlineAt === undefined ? call.service.timeoutMs : call.deadlineAt - now;
  const budget = Math.max(0, Math.floor(left));
  call.headers[BUDGET_HEADER] = String(budget);
  return budget;
}

/** Propagates the request id and a child W3C traceparent. */
export function contextHeadersMiddleware(): DownstreamMiddleware {
  return (next) => (call) => {
    const ctx = RequestContextStore.current();
    if (ctx !== undefined) {
      call.headers[REQUEST_ID_HEADER] = ctx.requestId;
      // The observer's span id when the call is traced, a fresh random id otherwise.
      call.headers.traceparent = childTraceparent(ctx, call.spanId);
    }
    return next(call);
  };
}

function retryAfterSeconds(res: RawResponse): number | undefined {
  const value = res.headers['retry-after'];
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const MIRRORED_CLIENT_ERRORS = new Set([400, 404, 409, 422]);

/**
 * Turns unusable statuses into typed errors: 4xx the client can act on are mirrored (without the
 * downstream's text), unavailability stays 503, anything else is a bad gateway.
 */
export function statusMiddleware(): DownstreamMiddleware {
  return (next) => async (call) => {
    const res = await next(call);
    if (res.status < 400) return res;
    let answer: UpstreamAnswer | undefined;
    if (call.passThrough === true) {
      // A proxy hands 4xx to the client as they are; a 5xx body may leak internals, so it is
      // dropped, unless the route relays the downstream's errors.
      if (res.status < 500) return res;
      if (call.keepErrorAnswer === true) answer = await readErrorAnswer(res);
      else res.stream?.resume();
    }
    const error = typedError(res, call.service.name);
    if (answer !== undefined) answers.set(error, answer);
    throw error;
  };
}

/** A downstream's 5xx answer kept on its typed error (relayed by routes that ask for it). */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

const answers = new WeakMap<object, UpstreamAnswer>();
const ERROR_ANSWER_BYTES = 64 * 1024;

/** The downstream's own 5xx answer behind a typed error, when the call kept it. */
export function upstreamAnswerOf(error: unknown): UpstreamAnswer | undefined {
  return typeof error === 'object' && error !== null ? answers.get(error) : undefined;
}

async function readErrorAnswer(res: RawResponse): Promise<UpstreamAnswer> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.stream !== undefined) {
    try {
      for await (const chunk of res.stream) {
        size += (chunk as Buffer).length;
        if (size > ERROR_ANSWER_BYTES) {
          res.stream.destroy();
          break;
        }
        chunks.push(chunk as Buffer);
      }
    } catch {
      // A broken error body: relayed as far as it came.
    }
  }
  const body = res.stream === undefined ? res.body : Buffer.concat(chunks);
  return { status: res.status, headers: res.headers, body };
}

/** The typed error of an unusable status: 4xx mirrored, 503/429 unavailable, 504, else 502. */
function typedError(res: RawResponse, name: string): Error {
  if (MIRRORED_CLIENT_ERRORS.has(res.status)) return new DownstreamClientError(res.status, name);
  if (res.status === 503 || res.status === 429) {
    const error = new DownstreamUnavailableError(`Downstream ${name} is unavailable`, name);
    error.retryAfterSeconds = retryAfterSeconds(res);
    return error;
  }
  if (res.status === 504) return new DeadlineExceededError(`Downstream ${name} timed out`, name);
  return new BadUpstreamResponseError(`Downstream ${name} answered ${res.status}`, name);
}

/** Composes middlewares so the first listed is the outermost. */
export function compose(...middlewares: DownstreamMiddleware[]): DownstreamMiddleware {
  return (transport) => middlewares.reduceRight((next, mw) => mw(next), transport);
}

/** Reports every attempt to the observer, which may name the attempt's span (`call.spanId`). */
export function observeMiddleware(observer: DownstreamObserver): DownstreamMiddleware {
  return (next) => async (call) => {
    const done = observer.start(call);
    let response: RawResponse;
    try {
      response = await next(call);
    } catch (error) {
      done(error, undefined);
      throw error;
    }
    done(undefined, response);
    return response;
  };
}
