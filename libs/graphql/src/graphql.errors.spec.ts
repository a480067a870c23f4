import { DeadlineExceededError, DownstreamUnavailableError } from '@app/core';
import { GraphQLError } from 'graphql';
import { GraphqlUnauthenticatedError, mapGraphqlError } from './graphql.errors';

const at = (original: Error) =>
  new GraphQLError(original.message, { originalError: original, path: ['product', 'reviews'] });

describe('mapGraphqlError', () => {
  it('maps typed errors to GraphQL codes, keeping the path', () => {
    expect(mapGraphqlError(at(new DeadlineExceededError('late')), true)).toMatchObject({
      status: 504,
      error: { path: ['product', 'reviews'], extensions: { code: 'DEADLINE_EXCEEDED' } },
    });
    expect(
      mapGraphqlError(at(new DownstreamUnavailableError('down', 'reviews')), true),
    ).toMatchObject({
      status: 503,
      retryAfterSeconds: 1,
      error: { extensions: { code: 'DOWNSTREAM_UNAVAILABLE', retryAfter: 1 } },
    });
    expect(mapGraphqlError(at(new GraphqlUnauthenticatedError()), true).error.extensions.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('never passes an unexpected error on', () => {
    const mapped = mapGraphqlError(at(new Error('ECONNREFUSED 10.0.0.7:5432')), true);
    expect(mapped).toMatchObject({
      status: 500,
      internal: true,
      error: { message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    });
  });

  it('cuts field suggestions when introspection is off', () => {
    const error = new GraphQLError(
      'Cannot query field "produc" on type "Query". Did you mean "product"?',
    );
    expect(mapGraphqlError(error, true).error.message).toMatch(/Did you mean/);
    expect(mapGraphqlError(error, false).error).toEqual({
      message: 'Cannot query field "produc" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});
