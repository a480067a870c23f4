import { register } from 'prom-client';
import { BffMetrics, getOrCreateCounter } from './metrics.registry';

async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await register.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    ?.value;
}

describe('metrics registry', () => {
  it('registers a metric once and hands the same one back', () => {
    const a = getOrCreateCounter('bff_test_things_total', 'test', ['kind']);
    const b = getOrCreateCounter('bff_test_things_total', 'test', ['kind']);
    expect(b).toBe(a);
  });

  it('lets several apps share the registry without "already registered" errors', async () => {
    const web = new BffMetrics('unit-web');
    const admin = new BffMetrics('unit-admin');
    web.requestStarted();
    web.requestEnded('/products/:id', 'GET', 200, 0.012);
    admin.requestStarted();
    admin.downstreamCall('users', 'success', 0.003);
    expect(
      await value('bff_http_requests_total', {
        app: 'unit-web',
        route: '/products/:id',
        method: 'GET',
        status: '200',
      }),
    ).toBe(1);
    expect(await value('bff_http_in_flight_requests', { app: 'unit-web' })).toBe(0);
    expect(await value('bff_http_in_flight_requests', { app: 'unit-admin' })).toBe(1);
    expect(
      await value('bff_downstream_requests_total', {
        app: 'unit-admin',
        service: 'users',
        outcome: 'success',
      }),
    ).toBe(1);
  });
});
