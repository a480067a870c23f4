import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync, randomUUID } from 'node:crypto';

/** Rate-limit tier of a caller. */
export type Tier = 'anonymous' | 'standard' | 'premium' | 'internal';

/** The verified caller, set by the auth lib from a token, an API key or a session; never from client headers. */
export interface Principal {
  /** `sub` of the token, or the API key's client name. */
  readonly subject: string;
  readonly kind: 'user' | 'api-key' | 'service';
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly tier: Tier;
  readonly orgId?: string;
  /** Client application name (API keys, token `azp`/`client_id`). */
  readonly clientName?: string;
}

/** Per-route settings of a declarative (pass-through) route; guards and interceptors honour them when set. */
export interface RouteSettings {
  readonly name: string;
  readonly auth?: 'public' | 'required';
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  /** Rate-limit tier applied to this route instead of the caller's own (e.g. a stricter one). */
  readonly tier?: Tier;
  /** Rate-limit cost of one request (default 1). */
  readonly weight?: number;
  readonly cacheTtlSeconds?: number;
  readonly timeoutMs?: number;
  readonly retries?: number;
}

/** What the BFF knows about the request being served; one object per request. */
export interface RequestContext {
  readonly requestId: string;
  /** W3C trace context: the trace this request belongs to. */
  readonly traceId: string;
  /** Span id of this request in the BFF; downstream calls become its children. */
  readonly spanId: string;
  readonly traceFlags: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** `performance.now()` value after which the endpoint has failed its budget. */
  deadlineAt: number;
  /** Names of aggregation parts that failed and were left out. */
  readonly partial: string[];
  /** Set by the auth guard once the caller is verified. */
  principal?: Principal;
  /** Set by the routing lib on declarative pass-through routes. */
  route?: RouteSettings;
  /**
   * The client's `Idempotency-Key` on a POST or PATCH; the downstream pipeline sends it on the
   * mutating calls made for this request, which makes them eligible for retries.
   */
  idempotencyKey?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

// Trace and span ids come from a pooled random buffer: one randomFillSync per 4 KiB of ids instead
// of an OpenSSL call per id, which showed up at ~5 % of a pass-through profile.
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

export function newSpanId(): string {
  return randomHex(8);
}

/** Builds the context from inbound headers: a valid request id and traceparent are kept, others replaced. */
export function createRequestContext(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  deadlineMs: number,
  now = performance.now(),
): RequestContext {
  const inboundId = headers[REQUEST_ID_HEADER];
  const requestId =
    typeof inboundId === 'string' && REQUEST_ID.test(inboundId) ? inboundId : randomUUID();
  const traceparent = headers.traceparent;
  const match = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
  const valid = match !== null && match[1] !== ZERO_TRACE && match[2] !== ZERO_SPAN;
  return {
    requestId,
    traceId: valid ? match[1] : randomHex(16),
    spanId: newSpanId(),
    traceFlags: valid ? match[3] : '01',
    startedAt: now,
    deadlineAt: now + deadlineMs,
    partial: [],
  };
}

/** `traceparent` value for a child call of the current request. */
export function childTraceparent(ctx: RequestContext, spanId = newSpanId()): string {
  return `00-${ctx.traceId}-${spanId}-${ctx.traceFlags}`;
}

export const RequestContextStore = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  /** The current request's context, or undefined outside a request (start-up, background work). */
  current(): RequestContext | undefined {
    return storage.getStore();
  },
};

/** Milliseconds left in the current request's budget (Infinity outside a request). */
export function remainingBudgetMs(
  ctx = RequestContextStore.current(),
  now = performance.now(),
): number {
  return ctx === undefined ? Number.POSITIVE_INFINITY : ctx.deadlineAt - now;
}
