import {
  BadUpstreamResponseError,
  DeadlineExceededError,
  DownstreamClientError,
  DownstreamUnavailableError,
} from '@app/core';
import type { DownstreamCall } from '@app/downstream';
import { downstreamOutcome, downstreamStatus } from './downstream.outcome';

const call = (callerSignal?: AbortSignal): DownstreamCall => ({
  service: { name: 'catalog', urls: [], timeoutMs: 1, transport: 'undici', connections: 1 },
  method: 'GET',
  path: '/x',
  headers: {},
  body: undefined,
  signal: new AbortController().signal,
  callerSignal,
});

describe('downstreamOutcome', () => {
  it.each([
    [undefined, 'success'],
    [new DownstreamClientError(404, 'catalog'), 'client_error'],
    [new BadUpstreamResponseError('x', 'catalog'), 'bad_response'],
    [new DownstreamUnavailableError('x', 'catalog'), 'unavailable'],
    [new DeadlineExceededError('x', 'catalog'), 'timeout'],
    [new Error('socket'), 'error'],
  ])('maps %p to %s', (error, outcome) => {
    expect(downstreamOutcome(error, call())).toBe(outcome);
  });

  it('reports a cancelled call as such, whatever reason it carries', () => {
    const aborted = AbortSignal.abort(new DownstreamUnavailableError('sibling', 'reviews'));
    expect(downstreamOutcome(aborted.reason, call(aborted))).toBe('cancelled');
  });

  it('keeps the mirrored status of client errors only', () => {
    expect(downstreamStatus(new DownstreamClientError(404, 'catalog'))).toBe(404);
    expect(downstreamStatus(new BadUpstreamResponseError('x', 'catalog'))).toBeUndefined();
  });
});
