import type { DownstreamServiceConfig } from '@app/config';
import { isBffError } from '@app/core';
import { Metadata, status } from '@grpc/grpc-js';
import type { DownstreamCall } from '../downstream.types';
import { isRetryableFailure } from '../retry.hints';
import { grpcStatusError } from './grpc.status';

const service = { name: 'inventory' } as DownstreamServiceConfig;

function call(overrides: Partial<DownstreamCall> = {}): DownstreamCall {
  return {
    service,
    method: 'GET',
    path: '/x',
    headers: {},
    body: undefined,
    signal: new AbortController().signal,
    callerSignal: undefined,
    ...overrides,
  };
}

const map = (code: status, clientInput = false, details = '', metadata = new Metadata()) =>
  grpcStatusError({ code, details, metadata }, call(), clientInput);

describe('grpcStatusError', () => {
  it.each([
    [status.DEADLINE_EXCEEDED, false, 504, false],
    [status.UNAVAILABLE, false, 503, true],
    [status.RESOURCE_EXHAUSTED, false, 502, true],
    [status.NOT_FOUND, false, 404, false],
    [status.INVALID_ARGUMENT, false, 502, false],
    [status.INVALID_ARGUMENT, true, 400, false],
    [status.FAILED_PRECONDITION, false, 502, false],
    [status.FAILED_PRECONDITION, true, 409, false],
    [status.PERMISSION_DENIED, true, 502, false],
    [status.UNAUTHENTICATED, true, 502, false],
    [status.INTERNAL, false, 502, false],
    [status.UNKNOWN, false, 502, false],
    [status.DATA_LOSS, false, 502, false],
  ])('maps %s (client input: %s) to %s, retryable: %s', (code, clientInput, http, retryable) => {
    const error = map(code, clientInput, 'secret downstream detail');
    expect(isBffError(error) && error.status).toBe(http);
    expect(isRetryableFailure(error)).toBe(retryable);
    expect((error as Error).message).not.toContain('secret');
  });

  it('reads the server pushback as Retry-After, and tells a local oversize from overload', () => {
    const metadata = new Metadata();
    metadata.set('grpc-retry-pushback-ms', '2500');
    const unavailable = map(status.UNAVAILABLE, false, '', metadata);
    expect(isBffError(unavailable) && unavailable.retryAfterSeconds).toBe(2.5);
    const tooLarge = map(
      status.RESOURCE_EXHAUSTED,
      false,
      'Received message larger than max (5000 vs 1024)',
    );
    expect(isBffError(tooLarge) && tooLarge.status).toBe(502);
    expect(isRetryableFailure(tooLarge)).toBe(false);
  });

  it("returns the caller's own reason when the caller gave up", () => {
    const controller = new AbortController();
    const reason = new Error('sibling failed');
    controller.abort(reason);
    expect(
      grpcStatusError(
        { code: status.CANCELLED, details: '', metadata: new Metadata() },
        call({ callerSignal: controller.signal, signal: controller.signal }),
        false,
      ),
    ).toBe(reason);
  });
});
