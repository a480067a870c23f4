export { GraphqlFacadeModule } from './graphql.module';
export type { GraphqlFacadeOptions } from './graphql.module';
export { GRAPHQL_PATH } from './graphql.edge';
export { operationCost, documentLimitsRule } from './graphql.limits';
