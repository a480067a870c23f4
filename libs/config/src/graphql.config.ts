import type { EnvReader } from './env-reader';

/** The GraphQL facade of web-bff and mobile-bff (libs/graphql): abuse limits and developer tools. */
export interface GraphqlConfig {
  /** `GRAPHQL_ENABLED`: serve `/graphql` on web-bff and mobile-bff. */
  readonly enabled: boolean;
  /** `GRAPHQL_MAX_DEPTH`: deepest selection allowed (fields nested in fields). */
  readonly maxDepth: number;
  /** `GRAPHQL_MAX_COST`: most cost units one operation may have (see README, GraphQL facade). */
  readonly maxCost: number;
  /**
   * `GRAPHQL_COST_PER_TOKEN`: cost units per rate-limit token; an operation's weight is
   * ceil(cost / this), at least 1.
   */
  readonly costPerToken: number;
  /** `GRAPHQL_MAX_ALIASES`: most aliased fields in one document. */
  readonly maxAliases: number;
  /** `GRAPHQL_MAX_BATCH`: most operations in one batched POST (a JSON array); 1 = no batching. */
  readonly maxBatch: number;
  /** `GRAPHQL_MAX_DOCUMENT_BYTES`: longest query text, in bytes. */
  readonly maxDocumentBytes: number;
  /** `GRAPHQL_MAX_PAGE`: largest `first` of a connection. */
  readonly maxPage: number;
  /**
   * `GRAPHQL_INTROSPECTION`: schema introspection and "did you mean" suggestions; default on except
   * with `NODE_ENV=production`.
   */
  readonly introspection: boolean;
  /** `GRAPHQL_IDE`: GraphiQL at `/graphiql`; default on only with `NODE_ENV=development`. */
  readonly ide: boolean;
  /** `GRAPHQL_PERSISTED_QUERIES_MAX`: automatic persisted queries kept in memory (LRU). */
  readonly persistedQueriesMax: number;
  /**
   * `GRAPHQL_PERSISTED_QUERIES_TTL_SECONDS`: lifetime of a registered query, in memory and in
   * Redis (shared there when `REDIS_URL` is set); clients register an expired one again.
   */
  readonly persistedQueriesTtlSeconds: number;
  /**
   * Redis of the persisted queries (`REDIS_URL` unless `GRAPHQL_PERSISTED_QUERIES_REDIS=false`);
   * undefined = this instance's LRU only.
   */
  readonly persistedQueriesRedisUrl: string | undefined;
}

export function readGraphqlConfig(
  r: EnvReader,
  nodeEnv: string,
  redisUrl: string | undefined,
): GraphqlConfig {
  return {
    enabled: r.bool('GRAPHQL_ENABLED', true),
    maxDepth: r.int('GRAPHQL_MAX_DEPTH', 8, 2, 64),
    maxCost: r.int('GRAPHQL_MAX_COST', 1_000, 1, 1_000_000),
    costPerToken: r.int('GRAPHQL_COST_PER_TOKEN', 10, 1, 1_000_000),
    maxAliases: r.int('GRAPHQL_MAX_ALIASES', 15, 0, 1_000),
    maxBatch: r.int('GRAPHQL_MAX_BATCH', 5, 1, 100),
    maxDocumentBytes: r.int('GRAPHQL_MAX_DOCUMENT_BYTES', 8_192, 256, 1_048_576),
    maxPage: r.int('GRAPHQL_MAX_PAGE', 50, 1, 100),
    introspection: r.bool('GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
    ide: r.bool('GRAPHQL_IDE', nodeEnv === 'development'),
    persistedQueriesMax: r.int('GRAPHQL_PERSISTED_QUERIES_MAX', 1_000, 1, 1_000_000),
    persistedQueriesTtlSeconds: r.int(
      'GRAPHQL_PERSISTED_QUERIES_TTL_SECONDS',
      86_400,
      60,
      2_592_000,
    ),
    persistedQueriesRedisUrl: r.bool('GRAPHQL_PERSISTED_QUERIES_REDIS', true)
      ? redisUrl
      : undefined,
  };
}
