// Test doubles shared by this lib's policy specs (not exported from index.ts).
import { loadConfig, type DownstreamServiceConfig } from '@app/config';
import { buildPipeline, type DownstreamCall, type HttpMethod } from '@app/downstream';
import { fakeTransport, type FakeAnswer } from '@app/downstream/testing';
import { Logger } from '@nestjs/common';
import { register } from 'prom-client';
import { ServicePolicies } from './resilience.policies';

export const service: DownstreamServiceConfig = {
  name: 'catalog',
  urls: ['http://catalog'],
  timeoutMs: 60_000,
  transport: 'undici',
  connections: 1,
};

/** Settings of the catalog service from env, the way the apps get them. */
const settingsFrom = (env: Record<string, string>) =>
  loadConfig({ RESILIENCE_RETRY_MAX_ATTEMPTS: '1', ...env }).resilience.services.catalog;

const silent = new Logger('test');
jest.spyOn(silent, 'log').mockImplementation(() => undefined);
jest.spyOn(silent, 'warn').mockImplementation(() => undefined);

/**
 * The catalog's policies from env, in a pipeline over a transport answering from a script
 * (status, thrown error, or a pending promise); `calls` is what reached the transport.
 */
export function setup(env: Record<string, string>, ...answers: FakeAnswer[]) {
  const policies = new ServicePolicies('catalog', settingsFrom(env), {
    random: () => 0.5,
    logger: silent,
  });
  const { transport, calls } = fakeTransport(...answers);
  const pipeline = buildPipeline(service, transport, { marginMs: 0, layers: policies.layers });
  const send = (
    method: HttpMethod = 'GET',
    headers: Record<string, string> = {},
    body: DownstreamCall['body'] = undefined,
  ) =>
    pipeline({
      service,
      method,
      path: '/products/1',
      headers: { ...headers },
      body,
      signal: new AbortController().signal,
      callerSignal: undefined,
    });
  return { policies, calls, send };
}

/** Settles a promise into its value or error, for assertions that need both. */
export const settle = <T>(p: Promise<T>): Promise<T | unknown> => p.catch((e: unknown) => e);

export async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  const hit = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return hit?.value ?? 0;
}
