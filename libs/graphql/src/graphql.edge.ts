import { BffAuthGuard } from '@app/auth';
import { CatalogClient, InventoryClient, ReviewsClient } from '@app/clients';
import type { GraphqlConfig } from '@app/config';
import {
  DeadlineExceededError,
  HttpRouteContext,
  Public,
  RequestContextStore,
  disarmDeadline,
  passGates,
} from '@app/core';
import { type InnerSpan, RequestSpans } from '@app/observability';
import { TieredThrottlerGuard } from '@app/throttling';
import { type CanActivate, Inject, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { MercuriusDriverConfig } from '@nestjs/mercurius';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
} from 'graphql';
import type { GraphqlContext } from './graphql.context';
import { GraphqlRequestError, mapGraphqlError, type MappedError } from './graphql.errors';
import { OperationCostCache, documentLimitsRule, knownOperationTypesRule } from './graphql.limits';
import { GraphqlLoaders } from './graphql.loaders';
import { graphqlMetrics } from './graphql.metrics';
import { PersistedQueryStore } from './graphql.persisted-queries';
import { GRAPHQL_SETTINGS } from './graphql.tokens';

/** Where the facade answers. */
export const GRAPHQL_PATH = '/graphql';

/** The class and handler the gates read their metadata from: public, identity optional. */
@Public({ optionalAuth: true })
class GraphqlEndpoint {
  static handle(): void {}
}

const RESPONSE_TYPE = 'application/graphql-response+json';
/** Request bodies GraphQL-over-HTTP defines; anything a form or `fetch` without preflight can send is refused. */
const BODY_TYPES = new Set(['application/json', 'application/graphql']);
const FACTS = Symbol('bff.graphqlFacts');
const SAFETY_TIMER = Symbol('bff.graphqlDeadline');
/** How long past the deadline an answer may still be on its way before the 504. */
const DEADLINE_GRACE_MS = 250;

/** What the facade learns about a request along the way, for metrics, logs and the answer. */
interface Facts {
  operation: string;
  operations: number;
  cost: number;
  errors: boolean;
  /** Spans of the request's operations (tracing on), ended at the latest with the answer. */
  spans?: InnerSpan[];
}

/** An operation's context as mercurius hands it to hooks (a batch's are one per operation). */
type OperationContext = GraphqlContext & { operationSpan?: InnerSpan };

type WithFacts = FastifyRequest & { [FACTS]?: Facts; [SAFETY_TIMER]?: NodeJS.Timeout };

const mediaType = (value: string | undefined): string | undefined =>
  value?.split(';', 1)[0].trim().toLowerCase();

/** The query texts of a GET or POST (a batch has several), before mercurius reads them. */
function documentsOf(request: FastifyRequest): unknown[] {
  if (request.method === 'GET') return [(request.query as { query?: unknown } | undefined)?.query];
  const body = request.body;
  return (Array.isArray(body) ? body : [body]).map((b) => (b as { query?: unknown } | null)?.query);
}

/**
 * The HTTP edge of `/graphql` and mercurius' options: what REST routes get from the platform
 * (auth, rate limits, the deadline, partial signalling, one error format), applied to GraphQL.
 *
 * Order on a request: content type (preParsing, before the body is read) -> session cookie and
 * `X-CSRF` (the platform's hook) -> batch size, document size, auth (preHandler) -> parse,
 * validate with the depth and alias limits (mercurius) -> cost limit, then the tier limit charged
 * the operation's cost (preExecution) -> resolvers, in the request's context and deadline.
 */
@Injectable()
export class GraphqlEdge {
  private readonly logger = new Logger('GraphQL');
  private auth?: CanActivate;
  private throttler?: CanActivate;
  private app = 'unknown';
  private readonly costs = new OperationCostCache();

  constructor(
    @Inject(GRAPHQL_SETTINGS) private readonly settings: GraphqlConfig,
    private readonly modules: ModuleRef,
    private readonly catalog: CatalogClient,
    private readonly inventory: InventoryClient,
    private readonly reviews: ReviewsClient,
    private readonly persisted: PersistedQueryStore,
    private readonly spans: RequestSpans,
  ) {}

  /** The app's gate instances (the same the Nest routes and pass-through routes use). */
  private gate<T extends CanActivate>(type: new (...args: never[]) => T): T | undefined {
    try {
      return this.modules.get(type, { strict: false });
    } catch {
      return undefined;
    }
  }

  /** Options of `GraphQLModule.forRoot` with the mercurius driver, for app `app`. */
  driverOptions(app: string): MercuriusDriverConfig {
    this.app = app;
    this.auth = this.gate(BffAuthGuard);
    this.throttler = this.gate(TieredThrottlerGuard);
    const s = this.settings;
    const rules = [
      knownOperationTypesRule,
      documentLimitsRule({ maxDepth: s.maxDepth, maxAliases: s.maxAliases }),
    ];
    if (!s.introspection) rules.push(NoSchemaIntrospectionCustomRule);
    return {
      path: GRAPHQL_PATH,
      autoSchemaFile: true,
      sortSchema: true,
      graphiql: s.ide,
      // graphql-jit compiles a document after its first run (mercurius' LRU keeps it).
      jit: 1,
      allowBatchedQueries: s.maxBatch > 1,
      // APQ shared through Redis when configured (mercurius' own LRU is per instance).
      persistedQueryProvider: this.persisted.provider(),
      validationRules: rules,
      context: (request: FastifyRequest) => this.contextOf(request),
      errorFormatter: (execution, context) =>
        this.format(
          execution as ExecutionResult & { statusCode?: number },
          context as unknown as GraphqlContext,
        ),
      // The route-level handler below formats every refusal; mercurius' own is not needed.
      errorHandler: false,
      additionalRouteOptions: {
        // Refusals before execution (content type, CSRF, auth, limits, parse and validation errors).
        errorHandler: (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
          const context = { req: request, reply } as unknown as GraphqlContext;
          const { statusCode, response } = this.format(
            { errors: [toGraphqlError(error)] },
            context,
          );
          void reply.code(statusCode).send(response);
        },
        preParsing: (
          request: FastifyRequest,
          _reply: FastifyReply,
          payload: unknown,
          done: (e: Error | null, p?: unknown) => void,
        ) => done(this.refusedContentType(request) ?? null, payload),
        // GraphQL-over-HTTP allows `"extensions": null`; mercurius' body schema does not.
        preValidation: (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
          dropNullExtensions(request.body);
          done();
        },
        preHandler: (request: FastifyRequest, reply: FastifyReply, done: (e?: Error) => void) => {
          this.admit(request, reply).then(
            // Resolvers, loaders and downstream calls run in the request's context (id, deadline).
            () => RequestContextStore.run(request.bffContext, () => done()),
            (error: unknown) => done(error as Error),
          );
        },
        preSerialization: (
          request: FastifyRequest,
          reply: FastifyReply,
          payload: unknown,
          done: (e: null, p: unknown) => void,
        ) => {
          this.tag(request, reply, payload);
          done(null, payload);
        },
        onSend: (
          request: FastifyRequest,
          reply: FastifyReply,
          payload: unknown,
          done: (e: null, p: unknown) => void,
        ) => done(null, this.finish(app, request, reply, payload)),
      },
      hooks: {
        preExecution: async (
          schema: GraphQLSchema,
          document: DocumentNode,
          context: unknown,
          variables: unknown,
        ) => {
          await this.charge(
            schema,
            document,
            context as OperationContext,
            variables as Record<string, unknown> | undefined,
          );
        },
        onResolution: async (execution: unknown, context: unknown) => {
          const code = (execution as ExecutionResult).errors?.[0]?.extensions?.code;
          (context as OperationContext).operationSpan?.end(
            code === undefined ? undefined : String(code),
          );
        },
      },
    } as MercuriusDriverConfig;
  }

  private contextOf(request: FastifyRequest): Omit<GraphqlContext, 'reply'> {
    const tracing = this.spans.enabled ? { spans: this.spans } : undefined;
    return {
      bff: request.bffContext,
      req: request,
      loaders: new GraphqlLoaders(this.catalog, this.inventory, this.reviews, tracing),
      ...(tracing === undefined ? {} : { tracing }),
    };
  }

  /** 415 for bodies a browser sends cross-site without preflight (text/plain, forms, multipart). */
  private refusedContentType(request: FastifyRequest): Error | undefined {
    if (request.method !== 'POST') return undefined;
    const type = mediaType(request.headers['content-type']);
    if (type !== undefined && BODY_TYPES.has(type)) return undefined;
    return new GraphqlRequestError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'POST /graphql takes application/json (or application/graphql)',
    );
  }

  private async admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    (request as WithFacts)[FACTS] = { operation: 'unknown', operations: 0, cost: 0, errors: false };
    const documents = documentsOf(request);
    if (documents.length > this.settings.maxBatch) {
      throw new GraphqlRequestError(
        400,
        'BATCH_TOO_LARGE',
        `A batch may hold at most ${this.settings.maxBatch} operations`,
      );
    }
    for (const doc of documents) {
      if (typeof doc === 'string' && Buffer.byteLength(doc) > this.settings.maxDocumentBytes) {
        throw new GraphqlRequestError(
          413,
          'DOCUMENT_TOO_LARGE',
          `The query is longer than ${this.settings.maxDocumentBytes} bytes`,
        );
      }
    }
    if (this.auth !== undefined) {
      await passGates(
        [this.auth],
        new HttpRouteContext(request, reply, GraphqlEndpoint, GraphqlEndpoint.handle),
      );
    }
    // From here the facade keeps the deadline itself: an expired budget fails the fields still
    // waiting (DEADLINE_EXCEEDED at their path) instead of the whole answer.
    disarmDeadline(request);
    const left = request.bffContext.deadlineAt - performance.now();
    if (left <= 0) throw new DeadlineExceededError('The endpoint deadline was exceeded');
    // Every downstream call ends at the deadline, so the answer follows it closely; should
    // anything hold it longer, the client still gets its 504 (in GraphQL form) soon after.
    (request as WithFacts)[SAFETY_TIMER] = setTimeout(
      () => this.expire(request, reply),
      left + DEADLINE_GRACE_MS,
    ).unref();
  }

  private expire(request: FastifyRequest, reply: FastifyReply): void {
    if (reply.sent || reply.raw.headersSent) return;
    this.logger.warn(
      `${GRAPHQL_PATH} -> 504: no answer within the deadline [${request.bffContext.requestId}]`,
    );
    const context = { req: request, reply } as unknown as GraphqlContext;
    const error = new DeadlineExceededError('The endpoint deadline was exceeded');
    const { statusCode, response } = this.format({ errors: [toGraphqlError(error)] }, context);
    void reply.code(statusCode).send(response);
  }

  /**
   * Cost limit, then the caller's rate limit charged the operation's cost: one expensive
   * operation costs as many tokens as the cheap ones it replaces (weight = ceil(cost / per token)).
   */
  private async charge(
    schema: GraphQLSchema,
    document: DocumentNode,
    context: OperationContext,
    variables: Record<string, unknown> | undefined,
  ): Promise<void> {
    const request = context.req;
    const operation = getOperationAST(
      document,
      (request.body as { operationName?: string } | undefined)?.operationName ??
        (request.query as { operationName?: string } | undefined)?.operationName,
    );
    const name = operation?.name?.value ?? 'anonymous';
    const cost = this.costs.cost(schema, document, operation?.name?.value, variables);
    const facts = (request as WithFacts)[FACTS];
    if (facts !== undefined) {
      facts.operations++;
      facts.operation = facts.operations === 1 ? name : 'batch';
      facts.cost += cost;
    }
    const span = this.operationSpan(context, operation?.operation ?? 'query', name, cost);
    if (span !== undefined && facts !== undefined) (facts.spans ??= []).push(span);
    request.bffContext.route = {
      // The request's log line names the operation (`routeName`).
      name: `graphql ${facts?.operation ?? name}`,
      weight: Math.max(1, Math.ceil(cost / this.settings.costPerToken)),
    };
    if (cost > this.settings.maxCost) {
      span?.end('QUERY_TOO_COMPLEX');
      throw new GraphqlRequestError(
        400,
        'QUERY_TOO_COMPLEX',
        `The operation costs ${cost}; at most ${this.settings.maxCost} is allowed`,
      );
    }
    if (this.throttler === undefined) return;
    try {
      await passGates(
        [this.throttler],
        new HttpRouteContext(request, context.reply, GraphqlEndpoint, GraphqlEndpoint.handle),
      );
    } catch (error) {
      span?.end('RATE_LIMITED');
      throw error;
    }
  }

  /**
   * The operation's span (tracing on): `<type> <name>` with its name, type and cost, child of the
   * request's span. A single operation's loader batches become its children; the operations of a
   * batched request share their loaders, whose batches stay children of the request's span.
   */
  private operationSpan(
    context: OperationContext,
    type: string,
    name: string,
    cost: number,
  ): InnerSpan | undefined {
    if (context.tracing === undefined) return undefined;
    const span = this.spans.start(name === 'anonymous' ? type : `${type} ${name}`, {
      'graphql.operation.type': type,
      'graphql.operation.name': name,
      'graphql.operation.cost': cost,
    });
    if (span === undefined) return undefined;
    context.operationSpan = span;
    if (!Array.isArray(context.req.body)) context.tracing.operation = span;
    return span;
  }

  /** mercurius' errorFormatter: every error mapped, one status for the answer. */
  private format(
    execution: ExecutionResult & { statusCode?: number },
    context: GraphqlContext | undefined,
  ): { statusCode: number; response: ExecutionResult } {
    const mapped: MappedError[] = [];
    for (const error of execution.errors ?? []) {
      // mercurius wraps parse and validation errors in one error that lists them; its other
      // wrappers (a mutation over GET) list plain errors and are mapped by their own code.
      const inner = (error.originalError as { errors?: unknown } | undefined)?.errors;
      const list =
        Array.isArray(inner) && inner.every((e) => e instanceof GraphQLError)
          ? (inner as GraphQLError[])
          : [error];
      for (const e of list)
        mapped.push(mapGraphqlError(toGraphqlError(e), this.settings.introspection));
    }
    const request = context?.req ?? context?.reply?.request;
    const requestId = request?.bffContext?.requestId;
    for (const m of mapped.filter((x) => x.internal)) {
      this.logger.error(`${GRAPHQL_PATH} internal error [${requestId}]: ${m.error.message}`);
    }
    // A mutation sent over GET (RFC 9110: a 405 names the methods allowed).
    if (mapped.some((m) => m.status === 405)) context?.reply?.header('allow', 'POST');
    const retry = mapped.find((m) => m.retryAfterSeconds !== undefined)?.retryAfterSeconds;
    if (retry !== undefined) context?.reply?.header('retry-after', String(retry));
    const facts = request === undefined ? undefined : (request as WithFacts)[FACTS];
    if (facts !== undefined && mapped.length > 0) {
      facts.errors = true;
      const m = graphqlMetrics().errors;
      for (const e of mapped)
        m.inc({ app: this.app, operation: facts.operation, code: e.error.extensions.code });
    }
    // `data` present (even null): the operation ran, field errors are in the body, status 200.
    const ran = execution.data !== undefined;
    let statusCode = 200;
    if (!ran && mapped.length > 0) {
      const first = mapped[0];
      // GraphQL-over-HTTP: a document that does not parse or validate is a 200 for
      // application/json clients and a 400 for application/graphql-response+json ones.
      const validation = first.status === 400 && first.error.extensions.code.startsWith('GRAPHQL_');
      statusCode = validation && !acceptsGraphqlResponse(request) ? 200 : first.status;
    }
    const response: ExecutionResult = {
      ...(ran || mapped.length === 0 ? { data: execution.data ?? null } : {}),
      ...(mapped.length > 0
        ? { errors: mapped.map((m) => m.error) as unknown as GraphQLError[] }
        : {}),
    };
    return { statusCode, response };
  }

  /** onSend of `/graphql`: media type, caching of complete GET answers (ETag/304), metrics. */
  private finish(
    app: string,
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): unknown {
    clearTimeout((request as WithFacts)[SAFETY_TIMER]);
    const facts = (request as WithFacts)[FACTS];
    // Ended already unless cut short (the deadline's 504) before mercurius' onResolution.
    for (const span of facts?.spans ?? []) {
      span.end(reply.statusCode === 504 ? 'DEADLINE_EXCEEDED' : 'UNFINISHED');
    }
    if (
      acceptsGraphqlResponse(request) &&
      String(reply.getHeader('content-type') ?? '').startsWith('application/json')
    ) {
      reply.header('content-type', `${RESPONSE_TYPE}; charset=utf-8`);
    }
    const partial = request.bffContext?.partial.length > 0;
    if (facts !== undefined) {
      const seconds = (performance.now() - request.bffContext.startedAt) / 1000;
      const outcome =
        reply.statusCode >= 400 ? 'refused' : partial ? 'partial' : facts.errors ? 'errors' : 'ok';
      graphqlMetrics().duration.observe({ app, operation: facts.operation, outcome }, seconds);
      if (facts.cost > 0)
        graphqlMetrics().cost.observe({ app, operation: facts.operation }, facts.cost);
    }
    if (reply.statusCode === 304) return '';
    if (reply.getHeader('cache-control') === undefined) reply.header('cache-control', 'no-store');
    return payload;
  }

  /**
   * preSerialization of `/graphql`: a complete answer to a GET (persisted queries) gets an ETag
   * and may be revalidated (304); shared caches may keep anonymous answers briefly, a signed-in
   * caller's stay in its own cache. Computed from the result before serialization, so it also
   * holds when the answer is then compressed (mobile-bff).
   */
  private tag(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const facts = (request as WithFacts)[FACTS];
    if (
      request.method !== 'GET' ||
      reply.statusCode !== 200 ||
      request.bffContext.partial.length > 0 ||
      facts?.errors !== false ||
      typeof payload !== 'object' ||
      payload === null ||
      'errors' in payload
    ) {
      return;
    }
    const body = JSON.stringify(payload);
    const etag = `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    reply.header('etag', etag);
    const vary = reply.getHeader('vary');
    reply.header(
      'vary',
      `${vary === undefined ? '' : `${String(vary)}, `}authorization, cookie, accept`,
    );
    reply.header(
      'cache-control',
      request.bffContext.principal === undefined ? 'public, max-age=30' : 'private, no-cache',
    );
    if (request.headers['if-none-match'] === etag) reply.code(304);
  }
}

function dropNullExtensions(body: unknown): void {
  for (const op of Array.isArray(body) ? body : [body]) {
    if (
      typeof op === 'object' &&
      op !== null &&
      (op as { extensions?: unknown }).extensions === null
    ) {
      delete (op as { extensions?: unknown }).extensions;
    }
  }
}

function acceptsGraphqlResponse(request: FastifyRequest | undefined): boolean {
  return request?.headers.accept?.includes(RESPONSE_TYPE) === true;
}

function toGraphqlError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const original = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(original.message, { originalError: original });
}
