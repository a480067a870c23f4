import type { DownstreamServiceConfig } from '@app/config';
import type { Readable } from 'node:stream';
import type { RpcInvocation } from './grpc/grpc.contracts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

/** What a caller asks of a downstream service. */
export interface DownstreamRequest {
  method?: HttpMethod;
  /** Path on the service, starting with `/`; build it with {@link dpath} so parameters are encoded. */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  body?: unknown;
  /** Cancels the call (e.g. an aggregation aborting its siblings). */
  signal?: AbortSignal;
}

export interface DownstreamResponse<T = unknown> {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: T;
}

/** A pass-through call of a declarative route (see `DownstreamClient.stream`). */
export interface PassThroughRequest {
  method: HttpMethod;
  /** Path with its raw query string, already validated by the caller. */
  path: string;
  /** Headers to send as they are (hop-by-hop and internal ones already removed). */
  headers: Record<string, string>;
  /** The client's body, streamed up. */
  body?: Readable;
  /** Route to the service's canary instances. */
  canary?: boolean;
  /**
   * Keep the downstream's 5xx answer (status, headers, first 64 KiB) on the typed error, for a
   * route that relays it ({@link upstreamAnswerOf}); policies still see the failure.
   */
  keepErrorAnswer?: boolean;
  signal?: AbortSignal;
}

/** The downstream's answer to a pass-through call; `body` is unread. */
export interface PassThroughResponse {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Readable;
}

/** One call as it travels down the pipeline. Middlewares may replace fields (headers, signal). */
export interface DownstreamCall {
  readonly service: DownstreamServiceConfig;
  readonly method: HttpMethod;
  /** Path with its query string. */
  readonly path: string;
  headers: Record<string, string>;
  /** JSON text, or the client's body stream on pass-through calls (policies must not resend a stream). */
  readonly body: string | Readable | undefined;
  /** Aborts the transport: caller cancellation or the remaining deadline. */
  signal: AbortSignal;
  /** The caller's own signal, to tell its cancellation from a timeout. */
  readonly callerSignal: AbortSignal | undefined;
  /** Span id of this call when a {@link DownstreamObserver} traces it; sent as the traceparent's parent id. */
  spanId?: string;
  /**
   * Pass-through call of a declarative route (@app/routing): the response body is returned unread in
   * `RawResponse.stream`, and only 5xx statuses become typed errors (4xx are the client's answer).
   */
  readonly passThrough?: boolean;
  /** Send to the service's canary instances (`DOWNSTREAM_<NAME>_CANARY_URL`) when it has some. */
  readonly canary?: boolean;
  /** Pass-through only: attach a 5xx answer to its typed error (see `PassThroughRequest`). */
  readonly keepErrorAnswer?: boolean;
  /**
   * `performance.now()` value when this call's budget runs out (set by the deadline middleware),
   * so policies below it never plan work past it (no retry that cannot finish in time).
   */
  deadlineAt?: number;
  /** gRPC calls: the RPC and its request message (see `GrpcTransport.prepare`). */
  rpc?: RpcInvocation;
  /**
   * Whether the operation is safe to send again, when its contract says so (a gRPC method's
   * `idempotency_level`); overrides the HTTP method rule of retries. Undefined: decided by method.
   */
  idempotent?: boolean;
}

/** What a transport returns: status, headers and the raw body. */
export interface RawResponse {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** Pass-through calls only: the body, not yet read (`body` is then empty). */
  stream?: Readable;
}

/** A step that sends a call and returns its response (lura's Proxy). */
export type DownstreamProxy = (call: DownstreamCall) => Promise<RawResponse>;

/** Wraps a proxy with one concern (lura's Middleware). */
export type DownstreamMiddleware = (next: DownstreamProxy) => DownstreamProxy;

/** Sends calls to one downstream service. */
export interface DownstreamTransport {
  readonly kind: string;
  send: DownstreamProxy;
  /**
   * Called once per call before the stack runs, with the unserialised body: a transport that
   * needs to name the operation (gRPC) does it here, so the policies above it can see it.
   */
  prepare?(call: DownstreamCall, body: unknown): void;
  close(): Promise<void>;
}

/**
 * Watches every downstream call (metrics, spans, log timings), provided under
 * {@link DOWNSTREAM_OBSERVER} (by @app/observability). `start` may set `call.spanId`; the function
 * it returns is called once, when the call settles.
 */
export interface DownstreamObserver {
  start(call: DownstreamCall): (error: unknown, response: RawResponse | undefined) => void;
}

export const DOWNSTREAM_OBSERVER = Symbol('DownstreamObserver');
