// Test doubles shared by this lib's specs (not exported from index.ts, not part of any build).
import type { DownstreamClient } from '@app/downstream';

/** A DownstreamClient whose `get` and `request` are mocks, for unit specs of the typed clients. */
export function mockDownstream(body: unknown = {}): {
  downstream: DownstreamClient;
  get: jest.Mock;
  request: jest.Mock;
} {
  const get = jest.fn().mockResolvedValue(body);
  const request = jest.fn().mockResolvedValue({ status: 200, headers: {}, body });
  return { downstream: { get, request } as unknown as DownstreamClient, get, request };
}
