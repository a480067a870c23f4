import { BffConfig, type DownstreamServiceConfig } from '@app/config';
import { BadUpstreamResponseError } from '@app/core';
import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DOWNSTREAM_OPTIONS, type DownstreamModuleOptions } from './downstream.options';
import { buildPipeline } from './downstream.pipeline';
import { DOWNSTREAM_OBSERVER } from './downstream.types';
import { HeaderPolicy } from './header.policy';
import type {
  DownstreamObserver,
  DownstreamCall,
  DownstreamProxy,
  DownstreamRequest,
  DownstreamResponse,
  DownstreamTransport,
  PassThroughRequest,
  PassThroughResponse,
  QueryValue,
} from './downstream.types';
import type { GrpcContracts } from './grpc/grpc.contracts';
import { AxiosTransport } from './transports/axios.transport';
import { GrpcTransport } from './transports/grpc.transport';
import { UndiciTransport } from './transports/undici.transport';

/** Placeholder until the deadline middleware installs the real signal. */
const NEVER_ABORTED = new AbortController().signal;

interface ServiceEntry {
  config: DownstreamServiceConfig;
  transport: DownstreamTransport;
  pipeline: DownstreamProxy;
}

function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) params.set(key, value.join(','));
    else params.set(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** Calls downstream services by registry name, through each service's pipeline. */
@Injectable()
export class DownstreamClient implements OnApplicationShutdown {
  private readonly services = new Map<string, ServiceEntry>();
  /**
   * The one policy for forwarded headers (`BFF_HEADER_UNDERSCORE_ALLOW`): every call's pipeline
   * applies it, and the pass-through proxy (@app/routing) filters client headers with it.
   */
  readonly headerPolicy: HeaderPolicy;

  constructor(
    @Inject(BffConfig) config: BffConfig,
    @Inject(DOWNSTREAM_OPTIONS) options: DownstreamModuleOptions,
    @Optional() @Inject(DOWNSTREAM_OBSERVER) observer?: DownstreamObserver,
  ) {
    this.headerPolicy = new HeaderPolicy(config.edge.headers);
    for (const service of Object.values(config.downstreams)) {
      const balancing = config.routing?.upstreams[service.name];
      const transport =
        service.transport === 'axios'
          ? new AxiosTransport(service)
          : service.transport === 'grpc'
            ? new GrpcTransport(service, balancing)
            : new UndiciTransport(service, balancing);
      const pipeline = buildPipeline(service, transport, {
        marginMs: config.deadlineMarginMs,
        layers: options.layers?.(service),
        observer,
        downstreamToken: config.auth.downstreamToken,
        headerPolicy: this.headerPolicy,
      });
      this.services.set(service.name, { config: service, transport, pipeline });
    }
  }

  /** GET a JSON resource and return its body. */
  async get<T>(
    service: string,
    path: string,
    options: Omit<DownstreamRequest, 'path' | 'method' | 'body'> = {},
  ): Promise<T> {
    const res = await this.request<T>(service, { ...options, path, method: 'GET' });
    return res.body;
  }

  /** Sends a request and decodes a JSON body (other bodies are returned as text). */
  async request<T>(service: string, request: DownstreamRequest): Promise<DownstreamResponse<T>> {
    const entry = this.entry(service);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.headers !== undefined) Object.assign(headers, request.headers);
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    const call: DownstreamCall = {
      service: entry.config,
      method: request.method ?? 'GET',
      path: request.path + queryString(request.query),
      headers,
      body,
      signal: request.signal ?? NEVER_ABORTED,
      callerSignal: request.signal,
    };
    entry.transport.prepare?.(call, request.body);
    const raw = await entry.pipeline(call);
    return {
      status: raw.status,
      headers: raw.headers,
      body: decode<T>(raw.body, raw.headers['content-type'], service),
    };
  }

  /**
   * Pass-through call for declarative routes (@app/routing): the body streams both ways, nothing is
   * decoded, and only 5xx answers become typed errors. Runs the same stack (deadline, context
   * headers, policies). Needs the undici transport.
   */
  async stream(service: string, request: PassThroughRequest): Promise<PassThroughResponse> {
    const entry = this.entry(service);
    if (entry.transport.kind !== 'undici') {
      throw new Error(`Downstream "${service}" needs the undici transport for pass-through calls`);
    }
    const raw = await entry.pipeline({
      service: entry.config,
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body,
      signal: request.signal ?? NEVER_ABORTED,
      callerSignal: request.signal,
      passThrough: true,
      canary: request.canary,
      keepErrorAnswer: request.keepErrorAnswer,
    });
    return {
      status: raw.status,
      headers: raw.headers,
      body: raw.stream ?? Readable.from(raw.body),
    };
  }

  /**
   * Calls one RPC of a gRPC downstream through its stack, with a request message built from a
   * client's input (a transcoded route: INVALID_ARGUMENT and FAILED_PRECONDITION are then the
   * client's 400 and 409). Returns the answer as proto3 JSON text.
   */
  async rpc(
    service: string,
    request: {
      method: string;
      message: Record<string, unknown>;
      headers?: Readonly<Record<string, string>>;
      signal?: AbortSignal;
    },
  ): Promise<Buffer> {
    const entry = this.entry(service);
    const contracts = this.grpcContractsOf(service);
    const method = contracts.method(request.method);
    const raw = await entry.pipeline({
      service: entry.config,
      method: 'POST',
      path: method.path,
      headers: { ...request.headers },
      body: undefined,
      signal: request.signal ?? NEVER_ABORTED,
      callerSignal: request.signal,
      rpc: { method, message: request.message, clientInput: true },
      idempotent: method.idempotent,
    });
    return raw.body;
  }

  /** The loaded `.proto` contract of a gRPC downstream; throws for an HTTP one. */
  grpcContractsOf(service: string): GrpcContracts {
    const transport = this.entry(service).transport;
    if (!(transport instanceof GrpcTransport)) {
      throw new Error(`Downstream "${service}" does not use the grpc transport`);
    }
    return transport.contracts;
  }

  /** The transport of a service, e.g. to register axios interceptors. */
  transportOf(service: string): DownstreamTransport {
    return this.entry(service).transport;
  }

  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.transport.close()));
  }

  private entry(service: string): ServiceEntry {
    const entry = this.services.get(service);
    // A programming error (unknown registry name), not a client error.
    if (entry === undefined) throw new Error(`Unknown downstream service "${service}"`);
    return entry;
  }
}

function decode<T>(body: Buffer, contentType: string | string[] | undefined, service: string): T {
  if (body.length === 0) return undefined as T;
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (type === undefined || !type.includes('json')) return body.toString('utf8') as T;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (error) {
    throw new BadUpstreamResponseError(`Downstream ${service} sent malformed JSON`, service, {
      cause: error,
    });
  }
}
