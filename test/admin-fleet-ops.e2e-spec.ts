import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { ADMIN_SCOPES, type TestIssuer, startTestIssuer } from './support/auth';
import { openWs, waitFor } from './support/feed-clients';
import { RedisProcess, until } from './support/redis-server';
import {
  type Json,
  type RunningApp,
  type Sandbox,
  json,
  startApp,
  startSandbox,
} from './support/stack';

/**
 * Fleet-wide operations views: `/ops/circuits` lists the breakers of every BFF instance of every
 * app (each reports to Redis with a TTL), breaker transitions reach the live feed, and a cache
 * purge reports which instances acknowledged it; without Redis both say they are local only.
 */
describe('fleet-wide operations (admin ×2 + web on one Redis)', () => {
  let redis: RedisProcess;
  let sandbox: Sandbox;
  let issuer: TestIssuer;
  let a: RunningApp;
  let b: RunningApp;
  let web: RunningApp;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    const env = {
      ...issuer.env,
      REDIS_URL: redis.url,
      RATE_LIMIT_ENABLED: 'false',
      // A loaded machine must not push the cache into its Redis back-off (purges go local then).
      CACHE_REDIS_TIMEOUT_MS: '2000',
      EVENTS_REPORT_MS: '300',
      DOWNSTREAM_REVIEWS_BREAKER_MIN_CALLS: '4',
      DOWNSTREAM_REVIEWS_BREAKER_FAILURE_RATIO: '0.5',
      DOWNSTREAM_REVIEWS_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      DOWNSTREAM_REVIEWS_RETRY_MAX_ATTEMPTS: '1',
    };
    a = await startApp(createAdminBff, sandbox, env);
    b = await startApp(createAdminBff, sandbox, env);
    web = await startApp(createWebBff, sandbox, env);
  }, 60_000);

  afterAll(async () => {
    for (const app of [a, b, web]) await app?.app.close();
    await sandbox?.close();
    await issuer?.close();
    await redis?.kill();
  });

  const admin = () =>
    issuer.headers({ sub: 'staff_admin', roles: ['admin'], aud: 'admin-bff', scope: ADMIN_SCOPES });
  const circuits = async (app: RunningApp): Promise<Json> =>
    json(await fetch(`${app.url}/ops/circuits`, { headers: admin() }));
  const reviewsOf = (instance: Json) =>
    (instance.services as Json[]).find((s) => s.service === 'reviews')?.state as string | undefined;

  it('shows the breakers of every instance of every app, and streams their transitions', async () => {
    const feed = await openWs(`${b.url.replace('http', 'ws')}/events/ws?topics=ops`, admin());
    try {
      // Every instance reported (each reports at start and every EVENTS_REPORT_MS).
      await until(
        async () => (await circuits(a)).fleet.instances.length === 3,
        10_000,
        'three instances',
      );
      const fleet = (await circuits(a)).fleet;
      expect(fleet.shared).toBe(true);
      expect(fleet.instances.map((i: Json) => i.app).sort()).toEqual([
        'admin-bff',
        'admin-bff',
        'web-bff',
      ]);
      for (const instance of fleet.instances) {
        expect(Date.now() - Date.parse(instance.reportedAt)).toBeLessThan(5_000);
      }

      // The web BFF's reviews breaker opens; the admin view shows it, not only admin's own.
      sandbox.faults.set('reviews', { errorRate: 1 });
      for (let i = 0; i < 8; i++) await fetch(`${web.url}/products/prd_000${(i % 9) + 1}`);
      let view: Json;
      await until(
        async () => {
          view = await circuits(a);
          return view.fleet.instances.some(
            (i: Json) => i.app === 'web-bff' && reviewsOf(i) === 'open',
          );
        },
        10_000,
        "web-bff's reviews breaker open in the fleet view",
      );
      // Admin's own breaker (top-level `services`, as before) never saw a failure.
      expect(reviewsOf({ services: view!.services })).toBe('closed');
      const change = await waitFor(
        () =>
          feed.messages.find(
            (m) =>
              m.type === 'event' &&
              m.event?.type === 'circuit.changed' &&
              (m.event.data as Json).app === 'web-bff',
          ),
        5_000,
        'circuit.changed on the feed',
      );
      expect(change.event?.data).toMatchObject({ service: 'reviews', from: 'closed', to: 'open' });
    } finally {
      sandbox.faults.reset();
      feed.socket.terminate();
    }
  });

  it('publishes readiness changes of an instance on the ops topic', async () => {
    const feed = await openWs(`${a.url.replace('http', 'ws')}/events/ws?topics=ops`, admin());
    try {
      await waitFor(() => feed.messages.some((m) => m.type === 'ready'), 5_000, 'ready');
      // users is critical for admin-bff: its readiness turns to error, then back to ok.
      sandbox.faults.set('users', { outage: true });
      await sandbox.settle();
      const down = await waitFor(
        () =>
          feed.messages.find(
            (m) => m.event?.type === 'readiness.changed' && (m.event.data as Json).to === 'error',
          ),
        10_000,
        'readiness.changed to error',
      );
      expect(down.event?.data).toMatchObject({ app: 'admin-bff', from: 'ok', to: 'error' });
      sandbox.faults.reset('users');
      await sandbox.settle();
      await waitFor(
        () =>
          feed.messages.find(
            (m) => m.event?.type === 'readiness.changed' && (m.event.data as Json).to === 'ok',
          ),
        10_000,
        'readiness.changed back to ok',
      );
    } finally {
      sandbox.faults.reset();
      await sandbox.settle();
      feed.socket.terminate();
    }
  });

  it('a cache purge reaches every instance and says which acknowledged', async () => {
    const feed = await openWs(`${b.url.replace('http', 'ws')}/events/ws?topics=ops`, admin());
    try {
      await waitFor(() => feed.messages.some((m) => m.type === 'ready'), 5_000, 'ready');
      const res = await fetch(`${a.url}/ops/cache/purge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin() },
        body: JSON.stringify({ tag: 'product:prd_0001' }),
      });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toMatchObject({ broadcast: true, scope: 'fleet', expected: 2 });
      expect(body.acknowledged).toHaveLength(2);
      expect(body.acknowledged).not.toContain(body.instance);
      // The live dashboard gets the same answer as an event.
      const event = await waitFor(
        () => feed.messages.find((m) => m.event?.type === 'cache.purged'),
        5_000,
        'cache.purged on the feed',
      );
      expect(event.event?.data).toMatchObject({
        app: 'admin-bff',
        tag: 'product:prd_0001',
        scope: 'fleet',
        acknowledged: body.acknowledged,
      });
    } finally {
      feed.socket.terminate();
    }
  });

  it('without Redis both answers say they are local only', async () => {
    const alone = await startApp(createAdminBff, sandbox, {
      ...issuer.env,
      RATE_LIMIT_ENABLED: 'false',
    });
    try {
      // The feed works from memory: this instance's events reach its clients.
      const feed = await openWs(`${alone.url.replace('http', 'ws')}/events/ws?topics=ops`, admin());
      const ready = await waitFor(
        () => feed.messages.find((m) => m.type === 'ready'),
        5_000,
        'ready',
      );
      expect(ready).toMatchObject({ shared: false });
      const fleet = (await circuits(alone)).fleet;
      expect(fleet.shared).toBe(false);
      expect(fleet.instances).toHaveLength(1);
      const res = await fetch(`${alone.url}/ops/cache/purge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin() },
        body: JSON.stringify({ tag: 'product:prd_0001' }),
      });
      expect(await json(res)).toMatchObject({ broadcast: false, scope: 'local', acknowledged: [] });
      const purged = await waitFor(
        () => feed.messages.find((m) => m.event?.type === 'cache.purged'),
        5_000,
        'cache.purged from memory',
      );
      feed.socket.terminate();
      expect(purged.event?.data).toMatchObject({ scope: 'local' });
    } finally {
      await alone.app.close();
    }
  });
});
