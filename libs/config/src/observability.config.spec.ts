import { availableParallelism } from 'node:os';
import { ConfigValidationError, loadConfig } from './config.loader';

describe('observability config', () => {
  it('defaults to no tracing, one worker, a 10 s shutdown deadline and app-default health gates', () => {
    expect(loadConfig({}).observability).toEqual({
      otlpTracesUrl: undefined,
      serviceName: undefined,
      sampleRatio: 1,
      logRequests: true,
      logRequestHeaders: false,
      metricsEnabled: true,
      healthCriticalServices: undefined,
      healthTimeoutMs: 1000,
      healthCacheMs: 1000,
      shutdownDelayMs: 0,
      shutdownTimeoutMs: 10000,
      workers: 1,
    });
  });

  it('drains 10 s before closing in production, not at all elsewhere; SHUTDOWN_DELAY_MS wins', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).observability.shutdownDelayMs).toBe(10_000);
    expect(loadConfig({ NODE_ENV: 'development' }).observability.shutdownDelayMs).toBe(0);
    expect(loadConfig({ NODE_ENV: 'test' }).observability.shutdownDelayMs).toBe(0);
    expect(
      loadConfig({ NODE_ENV: 'production', SHUTDOWN_DELAY_MS: '0' }).observability.shutdownDelayMs,
    ).toBe(0);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '2500' }).observability.shutdownDelayMs).toBe(2500);
  });

  it('derives the OTLP traces URL from the base endpoint; the signal-specific one wins', () => {
    const base = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(base.observability.otlpTracesUrl).toBe('http://collector:4318/v1/traces');
    const specific = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/traces',
    });
    expect(specific.observability.otlpTracesUrl).toBe('https://traces.example/v1/traces');
  });

  it('reads workers (auto = cores), critical services and `none`', () => {
    expect(loadConfig({ BFF_WORKERS: 'auto' }).observability.workers).toBe(availableParallelism());
    expect(loadConfig({ BFF_WORKERS: '3' }).observability.workers).toBe(3);
    expect(
      loadConfig({ HEALTH_CRITICAL_SERVICES: 'users, orders' }).observability
        .healthCriticalServices,
    ).toEqual(['users', 'orders']);
    expect(
      loadConfig({ HEALTH_CRITICAL_SERVICES: 'none' }).observability.healthCriticalServices,
    ).toEqual([]);
  });

  it.each([
    ['BFF_WORKERS', '0', /BFF_WORKERS must be an integer between 1 and 256/],
    ['SHUTDOWN_TIMEOUT_MS', 'soon', /SHUTDOWN_TIMEOUT_MS must be an integer/],
    ['SHUTDOWN_DELAY_MS', '-1', /SHUTDOWN_DELAY_MS/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /OTEL_EXPORTER_OTLP_ENDPOINT must be/],
    ['OTEL_TRACES_SAMPLER_ARG', '2', /OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1/],
    ['OTEL_SERVICE_NAME', 'web bff', /OTEL_SERVICE_NAME must be/],
    ['HEALTH_CRITICAL_SERVICES', 'catalog,payments', /"payments", which is not a downstream/],
    ['LOG_REQUEST_HEADERS', 'maybe', /LOG_REQUEST_HEADERS must be true or false/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
