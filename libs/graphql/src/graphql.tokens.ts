/** The facade's resolved options (limits from config); internal to the lib. */
export const GRAPHQL_SETTINGS = Symbol('bff.graphqlSettings');
