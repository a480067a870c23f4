// Test doubles shared by this lib's specs (not exported from index.ts, not part of any build).
import type { DownstreamServiceConfig } from '@app/config';
import type { DownstreamCall } from './downstream.types';

export const testService: DownstreamServiceConfig = {
  name: 'catalog',
  urls: ['http://catalog'],
  timeoutMs: 2000,
  transport: 'undici',
  connections: 1,
};

/** A fresh GET of `/products/1` on {@link testService}, as the client would build it. */
export const callFor = (): DownstreamCall => ({
  service: testService,
  method: 'GET',
  path: '/products/1',
  headers: {},
  body: undefined,
  signal: new AbortController().signal,
  callerSignal: undefined,
});
