import {
  BadRequestException,
  ForbiddenException,
  InternalServerErrorException,
} from '@nestjs/common';
import { BadUpstreamResponseError, DownstreamUnavailableError } from './bff.errors';
import { errorBody, mapError } from './bff-exception.filter';

describe('mapError', () => {
  it('maps typed BFF errors with their status, code and Retry-After', () => {
    const error = new DownstreamUnavailableError('Downstream catalog is unavailable', 'catalog');
    error.retryAfterSeconds = 3;
    expect(mapError(error)).toEqual({
      status: 503,
      code: 'DOWNSTREAM_UNAVAILABLE',
      message: 'Downstream catalog is unavailable',
      retryAfterSeconds: 3,
    });
  });

  it('gives every 503 a Retry-After, an unreachable downstream included', () => {
    const unreachable = new DownstreamUnavailableError(
      'Downstream catalog is unreachable',
      'catalog',
    );
    expect(mapError(unreachable).retryAfterSeconds).toBe(1);
    // The error itself stays without one: the BFF's own retries keep their backoff.
    expect(unreachable.retryAfterSeconds).toBeUndefined();
    expect(
      mapError(new BadUpstreamResponseError('x', 'catalog')).retryAfterSeconds,
    ).toBeUndefined();
  });

  it('keeps validation details of a 400', () => {
    const mapped = mapError(
      new BadRequestException({ message: ['pageSize must not be greater than 100'] }),
    );
    expect(mapped).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'Validation failed',
    });
    expect(mapped.details).toEqual(['pageSize must not be greater than 100']);
    expect(mapError(new ForbiddenException()).status).toBe(403);
  });

  it('never passes internal messages through', () => {
    expect(mapError(new Error('ECONNREFUSED 10.0.0.3:5432 password=secret'))).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal error',
    });
    expect(mapError(new InternalServerErrorException('db password=secret')).message).toBe(
      'Internal Server Error',
    );
  });

  it('maps Fastify body errors to their 4xx', () => {
    expect(
      mapError(Object.assign(new Error('Request body is too large'), { statusCode: 413 })).status,
    ).toBe(413);
    expect(
      errorBody(mapError(Object.assign(new Error('bad json'), { statusCode: 400 })), 'r1'),
    ).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'BAD_REQUEST',
      message: 'bad json',
      requestId: 'r1',
    });
  });
});
