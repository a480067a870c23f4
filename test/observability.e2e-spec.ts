import { type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { loadConfig } from '@app/config';
import { BffLifecycle, IdParamPipe } from '@app/core';
import { DownstreamClient, DownstreamModule, dpath } from '@app/downstream';
import { ObservabilityModule } from '@app/observability';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Param,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FastifyRequest } from 'fastify';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import {
  type RunningApp,
  type Sandbox,
  json,
  sandboxEnv,
  startApp,
  startSandbox,
} from './support/stack';
import { listeningUrl, spawnWebBff } from './support/bff-process';
import { closedPort } from './support/free-port';
import { startFixtureApp } from './support/fixture-app';
import { SHARED_REDIS_URL } from './support/shared-redis';

const INBOUND_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INBOUND_SPAN = '00f067aa0ba902b7';
const INBOUND_TRACEPARENT = `00-${INBOUND_TRACE}-${INBOUND_SPAN}-01`;

/** One sample of a Prometheus text exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const body = line.slice(name.length + 1, close);
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) {
      return Number(line.slice(close + 2));
    }
  }
  return 0;
}

/** Captures pino output: one parsed object per JSON line. */
class LogCapture extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** Plays the auth lib: any Authorization header is user usr_0007. */
@Injectable()
class FixtureAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.headers.authorization !== undefined) {
      request.bffContext.principal = {
        subject: 'usr_0007',
        kind: 'user',
        roles: [],
        scopes: [],
        tier: 'standard',
      };
    }
    return true;
  }
}

@Controller('fixture')
class FixtureController {
  constructor(@Inject(DownstreamClient) private readonly downstream: DownstreamClient) {}

  @Get('products/:id')
  async product(@Param('id', IdParamPipe) id: string): Promise<{ id: string }> {
    await Promise.all([
      this.downstream.get('catalog', dpath`/products/${id}`),
      this.downstream.get('users', dpath`/users/${'usr_0007'}`),
    ]);
    return { id };
  }
}

/** A BFF with the observability lib and a capture of its logs and spans. */
async function startFixture(
  sandbox: Sandbox,
  env: Record<string, string>,
): Promise<{
  app: NestFastifyApplication;
  url: string;
  logs: LogCapture;
  spans: InMemorySpanExporter;
}> {
  const config = loadConfig(sandboxEnv(sandbox, env));
  const logs = new LogCapture();
  const spans = new InMemorySpanExporter();
  const { app, url } = await startFixtureApp(config, {
    imports: [
      ObservabilityModule.forRoot({
        app: 'web-bff',
        logDestination: logs,
        spanProcessors: [new SimpleSpanProcessor(spans)],
      }),
      DownstreamModule.forRoot(),
    ],
    controllers: [FixtureController],
    providers: [{ provide: APP_GUARD, useClass: FixtureAuthGuard }],
  });
  return { app, url, logs, spans };
}

describe('observability', () => {
  let sandbox: Sandbox;
  let web: RunningApp;

  beforeAll(async () => {
    sandbox = await startSandbox();
    web = await startApp(createWebBff, sandbox, { HEALTH_CACHE_MS: '0' });
  });

  afterAll(async () => {
    await web?.app.close();
    await sandbox?.close();
  });

  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });

  describe('request id and trace context', () => {
    it('echoes the request id and sends it, with a child traceparent, to every downstream', async () => {
      const res = await fetch(`${web.url}/products/prd_0001`, {
        headers: { 'x-request-id': 'obs-req-0001', traceparent: INBOUND_TRACEPARENT },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('obs-req-0001');
      for (const service of ['catalog', 'inventory', 'reviews'] as const) {
        const [call] = sandbox.recorded(service);
        expect(call.headers['x-request-id']).toBe('obs-req-0001');
        const parts = String(call.headers.traceparent).split('-');
        expect(parts[1]).toBe(INBOUND_TRACE);
        expect(parts[2]).toMatch(/^[0-9a-f]{16}$/);
        expect(parts[2]).not.toBe(INBOUND_SPAN);
      }
    });

    it('generates a request id when none (or an invalid one) is sent', async () => {
      const res = await fetch(`${web.url}/products/prd_0002`, {
        headers: { 'x-request-id': 'bad id with spaces' },
      });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(sandbox.recorded('catalog')[0].headers['x-request-id']).toBe(id);
    });
  });

  describe('spans and logs', () => {
    let fixture: Awaited<ReturnType<typeof startFixture>>;

    beforeAll(async () => {
      fixture = await startFixture(sandbox, {
        LOG_LEVEL: 'info',
        LOG_REQUEST_HEADERS: 'true',
      });
    });

    afterAll(async () => {
      await fixture?.app.close();
    });

    it('creates a server span per request and a client span per call, whose ids go downstream', async () => {
      const res = await fetch(`${fixture.url}/fixture/products/prd_0003`, {
        headers: { traceparent: INBOUND_TRACEPARENT },
      });
      expect(res.status).toBe(200);
      const finished = fixture.spans.getFinishedSpans();
      const server = finished.find((s) => s.kind === SpanKind.SERVER);
      const clients = finished.filter((s) => s.kind === SpanKind.CLIENT);
      expect(server).toBeDefined();
      expect(server?.name).toBe('GET /fixture/products/:id');
      expect(server?.spanContext().traceId).toBe(INBOUND_TRACE);
      expect(server?.parentSpanContext?.spanId).toBe(INBOUND_SPAN);
      expect(server?.attributes['http.response.status_code']).toBe(200);
      expect(clients.map((s) => s.name).sort()).toEqual(['GET catalog', 'GET users']);
      for (const service of ['catalog', 'users'] as const) {
        const span = clients.find((s) => s.name === `GET ${service}`);
        expect(span?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
        expect(sandbox.recorded(service)[0].headers.traceparent).toBe(
          `00-${INBOUND_TRACE}-${span?.spanContext().spanId}-01`,
        );
      }
    });

    it('writes one JSON line per request with ids, user, route, status, timings and no secret', async () => {
      fixture.logs.chunks.length = 0;
      const res = await fetch(
        `${fixture.url}/fixture/products/prd_0004?page=1&access_token=qs-secret-000`,
        {
          headers: {
            'x-request-id': 'obs-log-0001',
            traceparent: INBOUND_TRACEPARENT,
            authorization: 'Bearer bearer-secret-123',
            cookie: 'sid=cookie-secret-456',
            'x-api-key': 'apikey-secret-789',
          },
        },
      );
      expect(res.status).toBe(200);
      await fetch(`${fixture.url}/health/live`);
      const lines = fixture.logs.lines().filter((l) => l.msg === 'request completed');
      // The probe is measured but not logged.
      expect(lines).toHaveLength(1);
      const [line] = lines;
      expect(line).toMatchObject({
        level: 'info',
        app: 'web-bff',
        requestId: 'obs-log-0001',
        traceId: INBOUND_TRACE,
        userId: 'usr_0007',
        method: 'GET',
        route: '/fixture/products/:id',
        url: '/fixture/products/prd_0004?page=1&access_token=[Redacted]',
        status: 200,
        downstream: {
          catalog: { count: 1, ms: expect.any(Number) },
          users: { count: 1, ms: expect.any(Number) },
        },
      });
      expect(line.durationMs).toEqual(expect.any(Number));
      expect(line.headers).toMatchObject({
        authorization: '[Redacted]',
        cookie: '[Redacted]',
        'x-api-key': '[Redacted]',
        'x-request-id': 'obs-log-0001',
      });
      for (const secret of ['bearer-secret', 'cookie-secret', 'apikey-secret', 'qs-secret']) {
        expect(fixture.logs.text).not.toContain(secret);
      }
    });

    it('writes nothing at LOG_LEVEL=silent', async () => {
      const silent = await startFixture(sandbox, { LOG_LEVEL: 'silent' });
      try {
        expect((await fetch(`${silent.url}/fixture/products/prd_0005`)).status).toBe(200);
        await fetch(`${silent.url}/nope`);
        expect(silent.logs.text).toBe('');
      } finally {
        await silent.app.close();
      }
    });
  });

  describe('metrics', () => {
    const scrape = async (): Promise<string> => {
      const res = await fetch(`${web.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      return res.text();
    };

    it('counts requests by route pattern and status, downstream calls by outcome', async () => {
      const route = { app: 'web-bff', route: '/products/:id', method: 'GET', status: '200' };
      const notFound = { app: 'web-bff', route: '/products/:id', method: 'GET', status: '404' };
      const unmatched = { app: 'web-bff', route: 'unmatched', status: '404' };
      const catalogOk = { app: 'web-bff', service: 'catalog', outcome: 'success' };
      const catalog404 = { app: 'web-bff', service: 'catalog', outcome: 'client_error' };
      const before = await scrape();

      for (const id of ['prd_0010', 'prd_0011', 'prd_0012']) {
        expect((await fetch(`${web.url}/products/${id}`)).status).toBe(200);
      }
      expect((await fetch(`${web.url}/products/prd_9999`)).status).toBe(404);
      expect((await fetch(`${web.url}/wp-admin/${Math.random()}`)).status).toBe(404);
      const after = await scrape();

      const delta = (name: string, labels: Record<string, string>): number =>
        sample(after, name, labels) - sample(before, name, labels);
      expect(delta('bff_http_requests_total', route)).toBe(3);
      expect(delta('bff_http_request_duration_seconds_count', route)).toBe(3);
      expect(delta('bff_http_requests_total', notFound)).toBe(1);
      expect(delta('bff_http_requests_total', unmatched)).toBe(1);
      // Product and related products per page.
      expect(delta('bff_downstream_requests_total', catalogOk)).toBe(6);
      expect(delta('bff_downstream_request_duration_seconds_count', catalogOk)).toBe(6);
      expect(delta('bff_downstream_requests_total', catalog404)).toBe(1);
      // The scrape itself is in flight while it is rendered.
      expect(sample(after, 'bff_http_in_flight_requests', { app: 'web-bff' })).toBe(1);
      expect(after).toContain('process_cpu_user_seconds_total');
      expect(after).toContain('nodejs_eventloop_lag_seconds');
      // Raw URLs never become labels.
      expect(after).not.toContain('prd_0010');
      expect(after).not.toContain('wp-admin');
    });

    it('records a failing downstream with its outcome', async () => {
      const unavailable = { app: 'web-bff', service: 'catalog', outcome: 'unavailable' };
      const before = await scrape();
      sandbox.faults.set('catalog', { errorRate: 1, errorStatus: 503 });
      expect((await fetch(`${web.url}/products/prd_0013`)).status).toBe(503);
      const after = await scrape();
      expect(sample(after, 'bff_downstream_requests_total', unavailable)).toBeGreaterThan(
        sample(before, 'bff_downstream_requests_total', unavailable),
      );
    });
  });

  describe('health', () => {
    it('answers liveness and readiness outside URI versioning', async () => {
      const mobile = await startApp(createMobileBff, sandbox, { HEALTH_CACHE_MS: '0' });
      try {
        for (const url of [web.url, mobile.url]) {
          const live = await fetch(`${url}/health/live`);
          expect(live.status).toBe(200);
          expect(await json(live)).toEqual({ status: 'ok' });
          const ready = await fetch(`${url}/health/ready`);
          expect(ready.status).toBe(200);
          expect(await json(ready)).toMatchObject({
            status: 'ok',
            checks: { catalog: { status: 'up' } },
          });
        }
        expect((await fetch(`${mobile.url}/v1/health/ready`)).status).toBe(404);
      } finally {
        await mobile.app.close();
      }
    });

    it('turns 503 while a critical downstream is in outage, and back', async () => {
      sandbox.faults.set('catalog', { outage: true });
      await sandbox.settle();
      const down = await fetch(`${web.url}/health/ready`);
      expect(down.status).toBe(503);
      const body = await json(down);
      expect(body).toEqual({
        status: 'error',
        checks: {
          catalog: { status: 'down', message: 'unreachable', responseTime: expect.any(Number) },
        },
      });
      // Liveness does not follow dependencies.
      expect((await fetch(`${web.url}/health/live`)).status).toBe(200);
      sandbox.faults.reset();
      await sandbox.settle();
      expect((await fetch(`${web.url}/health/ready`)).status).toBe(200);
    });

    it('while draining: readiness 503 at once and every response asks to close the connection', async () => {
      const draining = await startFixture(sandbox, { LOG_LEVEL: 'silent' });
      try {
        draining.app.get(BffLifecycle).startDraining();
        const ready = await fetch(`${draining.url}/health/ready`);
        expect(ready.status).toBe(503);
        expect(await json(ready)).toEqual({ status: 'draining' });
        const page = await fetch(`${draining.url}/fixture/products/prd_0006`);
        // In-flight and late requests are still served; clients reconnect elsewhere afterwards.
        expect(page.status).toBe(200);
        expect(page.headers.get('connection')).toBe('close');
        expect((await fetch(`${draining.url}/health/live`)).status).toBe(200);
      } finally {
        await draining.app.close();
      }
    });

    it('checks Redis when configured: up when it answers, 503 fast when unreachable', async () => {
      const withRedis = await startApp(createWebBff, sandbox, {
        REDIS_URL: SHARED_REDIS_URL,
        HEALTH_CACHE_MS: '0',
      });
      const unreachable = await startApp(createWebBff, sandbox, {
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        HEALTH_CACHE_MS: '0',
        HEALTH_TIMEOUT_MS: '500',
      });
      try {
        // The client connects in the background at start-up.
        let ready = await fetch(`${withRedis.url}/health/ready`);
        for (let i = 0; i < 20 && ready.status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 100));
          ready = await fetch(`${withRedis.url}/health/ready`);
        }
        expect(ready.status).toBe(200);
        expect((await json(ready)).checks.redis.status).toBe('up');

        const started = performance.now();
        const res = await fetch(`${unreachable.url}/health/ready`);
        expect(performance.now() - started).toBeLessThan(1500);
        expect(res.status).toBe(503);
        expect((await json(res)).checks).toMatchObject({
          redis: { status: 'down' },
          catalog: { status: 'up' },
        });
      } finally {
        await withRedis.app.close();
        await unreachable.app.close();
      }
    });
  });

  describe('readiness when Redis is down but every use of it fails open', () => {
    it('reports Redis as degraded and stays ready (200); a critical downstream still gates it', async () => {
      const failOpen = await startApp(createWebBff, sandbox, {
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        // Rate limits and the cache fail open; sessions and API keys do not use Redis here.
        SESSION_STORE: 'memory',
        AUTH_API_KEYS_STORE: 'file',
        HEALTH_CACHE_MS: '0',
        HEALTH_TIMEOUT_MS: '500',
      });
      try {
        const started = performance.now();
        const ready = await fetch(`${failOpen.url}/health/ready`);
        expect(performance.now() - started).toBeLessThan(1500);
        expect(ready.status).toBe(200);
        expect(await json(ready)).toEqual({
          status: 'degraded',
          degraded: ['redis'],
          checks: {
            redis: { status: 'down', message: 'unreachable', responseTime: expect.any(Number) },
            catalog: { status: 'up', responseTime: expect.any(Number) },
          },
        });
        // The instance serves meanwhile (limits and cache fall back to memory).
        expect((await fetch(`${failOpen.url}/products/prd_0004`)).status).toBe(200);

        sandbox.faults.set('catalog', { outage: true });
        await sandbox.settle();
        const down = await fetch(`${failOpen.url}/health/ready`);
        expect(down.status).toBe(503);
        expect(await json(down)).toMatchObject({
          status: 'error',
          checks: { redis: { status: 'down' }, catalog: { status: 'down' } },
        });
      } finally {
        sandbox.faults.reset();
        await sandbox.settle();
        await failOpen.app.close();
      }
    });
  });

  describe('graceful shutdown of a real process', () => {
    let child: ChildProcess | undefined;

    afterEach(() => {
      if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    it('on SIGTERM under load: readiness 503, every in-flight request completes, exit 0', async () => {
      // Every page waits on the catalog; requests sent just before SIGTERM are still in flight
      // when the listener closes. The pre-stop delay (800 ms) outlasts a request (400 ms), so every
      // loop starts at least one request while draining (with 300 ms, loops in lockstep could all
      // miss the window).
      sandbox.faults.set('catalog', { latencyMs: 400 });
      const bff = spawnWebBff(sandbox, {
        SHUTDOWN_DELAY_MS: '800',
        SHUTDOWN_TIMEOUT_MS: '8000',
        // Every request must reach the (slow) catalog: no limit, no cached page.
        RATE_LIMIT_ENABLED: 'false',
        CACHE_ENABLED: 'false',
      });
      child = bff.child;
      const proc = bff.child;
      const { exited } = bff;
      const url = await listeningUrl(bff);

      interface Outcome {
        startedAt: number;
        endedAt: number;
        status: number | 'connection-error';
      }
      const outcomes: Outcome[] = [];
      let stop = false;
      const loop = async (worker: number): Promise<void> => {
        // Staggered starts: the loops' requests are spread over each 400 ms, not in lockstep.
        await new Promise((r) => setTimeout(r, worker * 33));
        for (let i = 0; !stop; i++) {
          const startedAt = performance.now();
          try {
            const res = await fetch(
              `${url}/products/prd_${String(20 + ((worker * 7 + i) % 200)).padStart(4, '0')}`,
            );
            await res.arrayBuffer();
            outcomes.push({ startedAt, endedAt: performance.now(), status: res.status });
          } catch {
            // Refused (listener closed) or dropped before being read: never processed.
            outcomes.push({ startedAt, endedAt: performance.now(), status: 'connection-error' });
            return;
          }
        }
      };
      const loops = Array.from({ length: 12 }, (_, worker) => loop(worker));
      await new Promise((r) => setTimeout(r, 1_500));

      const sigtermAt = performance.now();
      proc.kill('SIGTERM');
      const readiness: number[] = [];
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 40));
        try {
          readiness.push((await fetch(`${url}/health/ready`)).status);
        } catch {
          break;
        }
      }
      const { code, signal } = await exited;
      stop = true;
      await Promise.all(loops);

      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(readiness).toContain(503);
      const inFlight = outcomes.filter((o) => o.startedAt < sigtermAt && o.endedAt > sigtermAt);
      expect(inFlight.length).toBeGreaterThanOrEqual(6);
      // Nothing sent before SIGTERM is lost.
      expect(
        outcomes
          .filter((o) => o.startedAt < sigtermAt && o.status !== 200)
          .map((o) => ({
            ...o,
            startedAt: o.startedAt - sigtermAt,
            endedAt: o.endedAt - sigtermAt,
          })),
      ).toEqual([]);
      // After it: served while draining, or refused once the listener is closed; never a 5xx.
      for (const o of outcomes.filter((x) => x.startedAt >= sigtermAt)) {
        expect([200, 503, 'connection-error']).toContain(o.status);
      }
      expect(
        outcomes.filter((o) => o.startedAt >= sigtermAt && o.status === 200).length,
      ).toBeGreaterThan(0);
      expect(bff.output()).toContain('"msg":"stopped"');
    }, 40_000);
  });
});
