import type { GrpcServiceConfig } from '@app/config';
import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';
import { fromJSON, loadSync } from '@grpc/proto-loader';
import type { HttpMethod } from '../downstream.types';
import { type PathTemplate, compilePathTemplate } from './path.template';
import {
  type MessageInfo,
  PROTO_LOADER_OPTIONS,
  ProtoTypes,
  TranscodeError,
  messageFromJson,
  setFromText,
} from './proto.json';

/** The standard health service every gRPC downstream is probed with (readiness). */
export const HEALTH_CHECK = 'grpc.health.v1.Health/Check';

/**
 * grpc/health/v1/health.proto (unary Check only), built in so that a GRPC_PROTO_DIR of the
 * downstreams' own contracts needs no copy of it.
 */
const HEALTH_DESCRIPTOR: Parameters<typeof fromJSON>[0] = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: {
                    ServingStatus: {
                      values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 },
                    },
                  },
                },
                Health: {
                  methods: {
                    Check: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      comment: 'Unary health check (grpc.health.v1)',
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** One unary RPC of a downstream's contract. */
export interface RpcMethod {
  /** `package.Service/Method`. */
  readonly name: string;
  /** The HTTP/2 path, `/package.Service/Method`. */
  readonly path: string;
  /**
   * From the method's `idempotency_level` (NO_SIDE_EFFECTS or IDEMPOTENT): the pipeline may retry
   * it. Anything else is sent once, whatever HTTP method a route maps to it.
   */
  readonly idempotent: boolean;
  readonly request: MessageInfo;
  readonly response: MessageInfo;
  readonly definition: MethodDefinition<object, object>;
}

/** An RPC with its request message: what the gRPC transport sends. */
export interface RpcInvocation {
  readonly method: RpcMethod;
  readonly message: Record<string, unknown>;
  /**
   * The message was built from the client's own input (a transcoded route), so INVALID_ARGUMENT
   * and FAILED_PRECONDITION are the client's answer (400/409); on the BFF's own calls they are 502.
   */
  readonly clientInput: boolean;
}

/** A google.api.http binding of an RPC: HTTP method, path template and where the body goes. */
interface HttpBinding {
  readonly httpMethod: HttpMethod;
  readonly template: PathTemplate;
  /** `*` (the whole message), a field name, or undefined (no body). */
  readonly body: string | undefined;
  readonly rpc: RpcMethod;
}

interface HttpRule {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  body?: string;
  additional_bindings?: HttpRule[];
  additionalBindings?: HttpRule[];
}

/**
 * A downstream's gRPC contract: its `.proto` files loaded once with proto-loader, the unary RPCs
 * of its services, their google.api.http bindings, and grpc.health.v1.
 */
export class GrpcContracts {
  readonly types: ProtoTypes;
  private readonly methods = new Map<string, RpcMethod>();
  private readonly bindings: HttpBinding[] = [];

  constructor(config: GrpcServiceConfig) {
    const definition: PackageDefinition = {
      ...loadSync([...config.protoFiles], {
        ...PROTO_LOADER_OPTIONS,
        includeDirs: [config.protoDir],
      }),
      ...fromJSON(HEALTH_DESCRIPTOR, PROTO_LOADER_OPTIONS),
    };
    this.types = new ProtoTypes(definition);
    for (const service of [...config.services, 'grpc.health.v1.Health']) {
      const methods = definition[service] as Record<string, MethodDefinition<object, object>>;
      if (methods === undefined || 'format' in methods) {
        throw new Error(
          `gRPC service ${service} is not defined in ${config.protoFiles.join(', ')}`,
        );
      }
      for (const [name, def] of Object.entries(methods)) {
        if (def.requestStream || def.responseStream) continue;
        const options = (def.options ?? {}) as Record<string, unknown>;
        const level = options.idempotency_level;
        const rpc: RpcMethod = {
          name: `${service}/${name}`,
          path: def.path,
          idempotent: level === 'NO_SIDE_EFFECTS' || level === 'IDEMPOTENT',
          request: this.types.message(typeNameOf(definition, service, def.requestType)),
          response: this.types.message(typeNameOf(definition, service, def.responseType)),
          definition: def,
        };
        this.methods.set(rpc.name, rpc);
        const rule = options['(google.api.http)'] as HttpRule | undefined;
        if (rule !== undefined) this.addBindings(rule, rpc);
      }
    }
    // The readiness probe's `GET /health` is the standard health check.
    this.addBindings({ get: '/health' }, this.method(HEALTH_CHECK));
  }

  /** The unary RPC `package.Service/Method`; throws for an unknown one (a configuration error). */
  method(name: string): RpcMethod {
    const rpc = this.methods.get(name);
    if (rpc === undefined) throw new Error(`Unknown gRPC method ${name}`);
    return rpc;
  }

  has(name: string): boolean {
    return this.methods.has(name);
  }

  /**
   * The RPC an HTTP-shaped call maps to by the contract's google.api.http rules, with its request
   * message from the path, the query and the JSON body; undefined when no rule matches.
   * Throws {@link TranscodeError} for input that does not fit the message.
   */
  fromHttp(
    httpMethod: string,
    pathWithQuery: string,
    body: unknown,
  ): { rpc: RpcMethod; message: Record<string, unknown> } | undefined {
    const q = pathWithQuery.indexOf('?');
    const path = q === -1 ? pathWithQuery : pathWithQuery.slice(0, q);
    for (const binding of this.bindings) {
      if (binding.httpMethod !== httpMethod) continue;
      const params = binding.template.match(path);
      if (params === undefined) continue;
      const { rpc } = binding;
      let message: Record<string, unknown> = {};
      if (binding.body === '*') {
        message = body === undefined ? {} : messageFromJson(this.types, rpc.request, body);
      } else if (binding.body !== undefined && body !== undefined) {
        message = messageFromJson(this.types, rpc.request, { [binding.body]: body });
      } else if (body !== undefined) {
        throw new TranscodeError(`${rpc.name} takes no body`);
      }
      const query = q === -1 ? '' : pathWithQuery.slice(q + 1);
      this.fill(rpc, message, params, new URLSearchParams(query));
      return { rpc, message };
    }
    return undefined;
  }

  /**
   * The request message of a transcoded route: the JSON body as the whole message, then the
   * path parameters and the query parameters on top (a field given twice is refused).
   * Throws {@link TranscodeError} for input that does not fit the message.
   */
  messageFor(
    rpc: RpcMethod,
    params: Readonly<Record<string, string>>,
    query: URLSearchParams,
    body: unknown,
  ): Record<string, unknown> {
    const message = body === undefined ? {} : messageFromJson(this.types, rpc.request, body);
    this.fill(rpc, message, params, query);
    return message;
  }

  /** Sets path parameters, then query parameters (never a field the path or body already set). */
  fill(
    rpc: RpcMethod,
    message: Record<string, unknown>,
    params: Readonly<Record<string, string>>,
    query: URLSearchParams,
  ): void {
    for (const [field, value] of Object.entries(params)) {
      setFromText(this.types, rpc.request, message, field, value, 'path parameter');
    }
    for (const [key, value] of query) {
      setFromText(this.types, rpc.request, message, key, value, 'query parameter');
    }
  }

  private addBindings(rule: HttpRule, rpc: RpcMethod): void {
    for (const verb of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const template = rule[verb];
      if (template === undefined || template === '') continue;
      this.bindings.push({
        httpMethod: verb.toUpperCase() as HttpMethod,
        template: compilePathTemplate(template),
        body: rule.body === undefined || rule.body === '' ? undefined : rule.body,
        rpc,
      });
    }
    for (const more of rule.additional_bindings ?? rule.additionalBindings ?? []) {
      this.addBindings(more, rpc);
    }
  }
}

/**
 * The full name of a method's request or response type. proto-loader gives the method a copy of
 * the type's descriptor (named relative to its package), not the key it is registered under, so
 * the registered types with that simple name are compared with it.
 */
function typeNameOf(definition: PackageDefinition, service: string, type: unknown): string {
  const descriptor = (type as { type: { name: string } }).type;
  const same = JSON.stringify(descriptor);
  const pkg = service.slice(0, service.lastIndexOf('.'));
  const candidates = Object.entries(definition).filter(
    ([key, entry]) =>
      (key === descriptor.name || key.endsWith(`.${descriptor.name}`)) &&
      JSON.stringify((entry as { type?: unknown }).type) === same,
  );
  const local = candidates.find(([key]) => key === `${pkg}.${descriptor.name}`);
  const found = local ?? candidates[0];
  if (found === undefined) throw new Error(`Cannot find message type ${descriptor.name}`);
  return found[0];
}
