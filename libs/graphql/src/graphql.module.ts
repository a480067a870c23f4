import { DownstreamClientsModule } from '@app/clients';
import { BffConfig } from '@app/config';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { MercuriusDriverConfig } from '@nestjs/mercurius';
import { directResolvers } from './graphql.direct';
import { ScopedMercuriusDriver } from './graphql.driver';
import { GraphqlEdge } from './graphql.edge';
import { PersistedQueryStore } from './graphql.persisted-queries';
import { GRAPHQL_SETTINGS } from './graphql.tokens';
import { HomeResolver } from './home.resolver';
import { OrderLineResolver, OrderResolver, ViewerResolver } from './order.resolver';
import { ProductResolver } from './product.resolver';

/** Options of {@link GraphqlFacadeModule.forRoot}. */
export interface GraphqlFacadeOptions {
  /** The app serving it (metrics label). Limits and tools come from `config.graphql`. */
  app: string;
}

const SETTINGS = {
  provide: GRAPHQL_SETTINGS,
  useFactory: (config: BffConfig) => config.graphql,
  inject: [BffConfig],
};

/** Persisted queries: through the shared Redis when there is one, else this instance's LRU. */
const PERSISTED_QUERIES = {
  provide: PersistedQueryStore,
  useFactory: (config: BffConfig) =>
    new PersistedQueryStore({
      maxEntries: config.graphql.persistedQueriesMax,
      ttlSeconds: config.graphql.persistedQueriesTtlSeconds,
      redisUrl: config.graphql.persistedQueriesRedisUrl,
      commandTimeoutMs: config.redis.commandTimeoutMs,
    }),
  inject: [BffConfig],
};

const RESOLVERS = [ProductResolver, ViewerResolver, OrderResolver, OrderLineResolver, HomeResolver];

/** The edge and the resolvers in their own module, so the driver's options factory can inject them. */
@Module({
  imports: [DownstreamClientsModule],
  providers: [SETTINGS, PERSISTED_QUERIES, GraphqlEdge, ...RESOLVERS],
  exports: [SETTINGS, GraphqlEdge, ...RESOLVERS],
})
class GraphqlEdgeModule {}

/**
 * `POST`/`GET /graphql` (mercurius, code-first schema) over the typed downstream clients: one
 * schema for web and mobile clients, batched per request, cost-limited, partial-aware, behind the
 * same auth, session/CSRF, rate limits and deadline as the REST routes. Import after
 * `BffPlatformModule.forRoot(...)` in an app module:
 * `GraphqlFacadeModule.forRoot({ app: 'web-bff' })`. Off (imports nothing) when
 * `GRAPHQL_ENABLED=false`.
 */
@Module({})
export class GraphqlFacadeModule {
  static forRoot(options: GraphqlFacadeOptions, enabled = true): DynamicModule {
    if (!enabled) return { module: GraphqlFacadeModule };
    return {
      module: GraphqlFacadeModule,
      imports: [
        DownstreamClientsModule,
        GraphqlEdgeModule,
        GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: ScopedMercuriusDriver,
          imports: [GraphqlEdgeModule],
          inject: [GraphqlEdge, ...RESOLVERS],
          useFactory: (edge: GraphqlEdge, ...resolvers: object[]) => ({
            ...edge.driverOptions(options.app),
            // Resolvers without Nest's per-call wrapper where it has nothing to do (see directResolvers).
            transformResolvers: (map) => directResolvers(map, resolvers),
          }),
        }),
      ],
    };
  }
}
