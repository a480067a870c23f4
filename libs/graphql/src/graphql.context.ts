import type { Principal, RequestContext } from '@app/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphqlLoaders, LoaderTracing } from './graphql.loaders';

/** What every resolver gets as its GraphQL context (one per HTTP request). */
export interface GraphqlContext {
  /** The request's context: id, deadline, verified caller, partial parts. */
  readonly bff: RequestContext;
  /** Per-request batching loaders over the services' `?ids=` endpoints. */
  readonly loaders: GraphqlLoaders;
  /** With tracing on: where the operation's span is kept for the loaders' batch spans. */
  readonly tracing?: LoaderTracing;
  readonly req: FastifyRequest;
  /** Set by mercurius. */
  readonly reply: FastifyReply;
}

/** The verified caller, if any. */
export function principalOf(ctx: GraphqlContext): Principal | undefined {
  return ctx.bff.principal;
}

/**
 * Records an optional part that failed: the response is then marked partial (`X-Partial-Response`,
 * `Cache-Control: no-store`) exactly like a REST aggregate, and no cache keeps it.
 */
export function markPartial(ctx: GraphqlContext, part: string): void {
  if (!ctx.bff.partial.includes(part)) ctx.bff.partial.push(part);
}

/** Runs an optional field: on failure the part is marked partial and the error rethrown (null + error). */
export async function optionalPart<T>(
  ctx: GraphqlContext,
  part: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    markPartial(ctx, part);
    throw error;
  }
}
