import type { DownstreamServiceConfig, UpstreamBalancingConfig } from '@app/config';
import { BadUpstreamResponseError } from '@app/core';
import { Client, Metadata, type ServiceError, credentials, status as Status } from '@grpc/grpc-js';
import { type CallOutcome, InstanceBalancer } from '../balancer';
import type { DownstreamCall, DownstreamTransport, RawResponse } from '../downstream.types';
import { BUDGET_HEADER } from '../downstream.middlewares';
import { GrpcContracts, HEALTH_CHECK, type RpcInvocation } from '../grpc/grpc.contracts';
import { grpcStatusError } from '../grpc/grpc.status';
import { TranscodeError, messageToJson } from '../grpc/proto.json';
import { toTransportError } from './transport-errors';

/** Headers that are HTTP framing or replaced by gRPC's own (the budget is the gRPC deadline). */
const NOT_METADATA = new Set([
  'accept',
  'content-type',
  'content-length',
  'connection',
  'host',
  'te',
  'transfer-encoding',
  'keep-alive',
  'user-agent',
  BUDGET_HEADER,
]);

/** Statuses that count against an instance's health (the passive health check). */
const UNHEALTHY = new Set([
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
  Status.INTERNAL,
  Status.UNKNOWN,
]);

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });

const DEFAULT_BALANCING: UpstreamBalancingConfig = {
  strategy: 'round-robin',
  ejectAfterFailures: 5,
  ejectMs: 10_000,
  canaryUrls: [],
};

function isServiceError(error: unknown): error is ServiceError {
  return (
    typeof error === 'object' && error !== null && typeof (error as ServiceError).code === 'number'
  );
}

/**
 * Calls a downstream's RPCs with @grpc/grpc-js under the same stack as the HTTP transports. One
 * channel per instance, kept for the process (HTTP/2 multiplexes every call on it, with keep-alive
 * pings), balanced with passive health checks. A call names its RPC (`call.rpc`, set by
 * {@link prepare} from the contract's google.api.http rules, or by a transcoded route); the
 * remaining budget becomes the gRPC deadline, the request id, traceparent and user context travel
 * as metadata, and the answer is returned as proto3 JSON.
 */
export class GrpcTransport implements DownstreamTransport {
  readonly kind = 'grpc';
  readonly contracts: GrpcContracts;
  readonly balancer: InstanceBalancer<Client>;

  constructor(
    private readonly service: DownstreamServiceConfig,
    balancing: UpstreamBalancingConfig = DEFAULT_BALANCING,
  ) {
    const grpc = service.grpc;
    if (grpc === undefined) throw new Error(`Downstream "${service.name}" has no gRPC settings`);
    this.contracts = new GrpcContracts(grpc);
    const options = {
      'grpc.keepalive_time_ms': grpc.keepAliveMs,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.max_receive_message_length': grpc.maxMessageBytes,
      'grpc.max_send_message_length': grpc.maxMessageBytes,
      // Retries are the pipeline's, within its budget; grpc-js must not add its own.
      'grpc.enable_retries': 0,
      // After an outage a channel is back within 2 s instead of grpc-js's default 120 s ceiling.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    };
    this.balancer = new InstanceBalancer(
      service.name,
      service.urls.map((u) => {
        const url = new URL(u);
        const creds =
          url.protocol === 'grpcs:' ? credentials.createSsl() : credentials.createInsecure();
        return { target: new Client(url.host, creds, options), label: u };
      }),
      balancing,
    );
  }

  /**
   * Names the RPC of an HTTP-shaped call (a typed client's `GET /inventory/prd_0001`) by the
   * contract's google.api.http rules, before the policies run, so the retry sees whether the RPC
   * is idempotent. A call that fits no RPC is the BFF's own mistake: 502.
   */
  prepare(call: DownstreamCall, body: unknown): void {
    if (call.rpc !== undefined) return;
    const invocation = this.translate(call, body);
    call.rpc = invocation;
    call.idempotent = invocation.method.idempotent;
  }

  readonly send = async (call: DownstreamCall): Promise<RawResponse> => {
    // The readiness probe sends `GET /health` without preparing it.
    const invocation = call.rpc ?? this.translate(call, undefined);
    const instance = this.balancer.acquire();
    let outcome: CallOutcome = 'failure';
    try {
      const answer = await this.unary(instance.target, invocation, call);
      outcome = 'success';
      const { method } = invocation;
      if (method.name === HEALTH_CHECK) {
        const serving = (answer as { status?: string }).status === 'SERVING';
        return { status: serving ? 200 : 503, headers: JSON_HEADERS, body: Buffer.alloc(0) };
      }
      const json = messageToJson(this.contracts.types, method.response, answer);
      return { status: 200, headers: JSON_HEADERS, body: Buffer.from(JSON.stringify(json)) };
    } catch (error) {
      if (call.callerSignal?.aborted === true) outcome = 'neutral';
      // Our own budget timer cancels a slow call (CANCELLED): a failure of the instance too.
      else if (call.signal.aborted) outcome = 'failure';
      else if (isServiceError(error)) outcome = UNHEALTHY.has(error.code) ? 'failure' : 'success';
      throw isServiceError(error)
        ? grpcStatusError(error, call, invocation.clientInput)
        : toTransportError(error, call);
    } finally {
      this.balancer.release(instance, outcome);
    }
  };

  async close(): Promise<void> {
    for (const instance of this.balancer.instances) instance.target.close();
  }

  private translate(call: DownstreamCall, body: unknown): RpcInvocation {
    const name = this.service.name;
    try {
      const found = this.contracts.fromHttp(call.method, call.path, body);
      if (found !== undefined)
        return { method: found.rpc, message: found.message, clientInput: false };
    } catch (error) {
      if (!(error instanceof TranscodeError)) throw error;
      throw new BadUpstreamResponseError(`Call to ${name} does not fit its gRPC contract`, name, {
        cause: error,
      });
    }
    throw new BadUpstreamResponseError(`No RPC of ${name} maps ${call.method} ${call.path}`, name);
  }

  private unary(client: Client, invocation: RpcInvocation, call: DownstreamCall): Promise<object> {
    const { definition } = invocation.method;
    const left =
      call.deadlineAt === undefined ? this.service.timeoutMs : call.deadlineAt - performance.now();
    return new Promise((resolve, reject) => {
      if (call.signal.aborted) {
        reject(call.signal.reason);
        return;
      }
      const onAbort = (): void => grpcCall.cancel();
      const grpcCall = client.makeUnaryRequest(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        invocation.message,
        metadataOf(call.headers),
        { deadline: Date.now() + Math.max(0, left) },
        (error, value) => {
          call.signal.removeEventListener('abort', onAbort);
          if (error !== null) reject(error);
          else resolve(value as object);
        },
      );
      call.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The call's headers (already filtered by the header policy) as gRPC metadata. */
function metadataOf(headers: Readonly<Record<string, string>>): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (NOT_METADATA.has(key) || key.startsWith('grpc-') || key.startsWith(':')) continue;
    metadata.set(key, value);
  }
  return metadata;
}
