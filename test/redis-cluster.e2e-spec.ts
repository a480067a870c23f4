import { runApiKeyCli } from '@app/auth';
import { loadConfig } from '@app/config';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { ADMIN_SCOPES, internalHeaders } from './support/auth';
import { CookieJar } from './support/oidc-login';
import {
  type RunningWeb,
  freePort,
  loginThroughBff,
  startSessionSandbox,
  startSessionWeb,
} from './support/session-stack';
import { RedisCluster } from './support/redis-cluster';
import { until } from './support/redis-server';
import { type RunningApp, type Sandbox, sandboxEnv, startApp } from './support/stack';

/*
 * Every Redis user against a real Redis Cluster (3 masters, 3 replicas, from redis-server and
 * `redis-cli --cluster create`): rate limits (one Lua script per bucket key), the cache's level 2,
 * tags and purges (pub/sub), API keys and their revocation, the audit stream; then a master is
 * killed during traffic: requests keep their documented failure policy (fail open: no 5xx), and once
 * its replica has taken over the limits are shared again and the cache and API keys work again.
 */

const BURST = 5;
/** A pass-through route of weight 1: each request costs one token. */
const LIMITED = '/api/v1/catalog/products/prd_0001';

describe('Redis Cluster', () => {
  let cluster: RedisCluster;
  let sandbox: Sandbox;
  let webA: RunningApp;
  let webB: RunningApp;
  let admin: RunningApp;
  let sessionWebs: RunningWeb[] = [];
  let env: Record<string, string>;
  let clientNo = 0;

  beforeAll(async () => {
    cluster = await RedisCluster.start(3);
    const sessionPorts = [await freePort(), await freePort()];
    sandbox = await startSessionSandbox(sessionPorts);
    env = {
      REDIS_URL: cluster.url,
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_ANONYMOUS_BURST: String(BURST),
      // A token comes back every 12 s: a slow burst of six requests still meets the limit.
      RATE_LIMIT_BURST_WINDOW_SECONDS: '60',
      RATE_LIMIT_REDIS_TIMEOUT_MS: '500',
      AUTH_API_KEYS_STORE: 'redis',
      AUDIT_REDIS_STREAM: 'bff:audit',
      REDIS_COMMAND_TIMEOUT_MS: '500',
      // The machine is loaded: timeouts above its pauses, a short back-off after a failure.
      CACHE_REDIS_TIMEOUT_MS: '500',
      CACHE_REDIS_BACKOFF_MS: '200',
    };
    webA = await startApp(createWebBff, sandbox, env);
    webB = await startApp(createWebBff, sandbox, env);
    admin = await startApp(createAdminBff, sandbox, env);
    sessionWebs = await Promise.all(
      sessionPorts.map((port) => startSessionWeb(sandbox, port, env)),
    );
    // The clients connect in the background (limits are local until then): wait for sharing.
    await until(
      async () => (await sharedBurst(newClient())).at(-1) === 429,
      30_000,
      'rate limits shared through the cluster',
    );
  }, 120_000);

  afterAll(async () => {
    for (const app of [webA, webB, admin, ...sessionWebs]) await app?.app.close();
    await sandbox?.close();
    await cluster?.stop();
  }, 60_000);

  /** A client address of its own (read from X-Forwarded-For, as the proxy is trusted). */
  const newClient = (): string => `10.20.${Math.floor(++clientNo / 250)}.${clientNo % 250}`;
  const get = async (app: RunningApp, path: string, ip: string) => {
    const res = await fetch(`${app.url}${path}`, { headers: { 'x-forwarded-for': ip } });
    await res.arrayBuffer();
    return res;
  };

  /** A product page stored by A (MISS) is a HIT on B once its level-2 entry and tag are in. */
  async function expectSharedCache(id: string): Promise<void> {
    const ip = newClient();
    expect((await get(webA, `/products/${id}`, ip)).headers.get('x-cache')).toBe('MISS');
    // Level 2 is written after the answer (entry, then its tag): B asks once both are in.
    await until(
      async () =>
        [...(await cluster.keysPerMaster('bff:cache:t:*')).values()]
          .flat()
          .includes(`bff:cache:t:product:${id}`),
      10_000,
      `cache entry for ${id} in the cluster`,
    );
    expect((await get(webB, `/products/${id}`, ip)).headers.get('x-cache')).toBe('HIT');
  }

  /** BURST requests alternating between the instances, then one more: 429 if the bucket is shared. */
  async function sharedBurst(ip: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i <= BURST; i++) {
      statuses.push((await get(i % 2 === 0 ? webA : webB, LIMITED, ip)).status);
    }
    return statuses;
  }

  it('shares rate limits between instances, with buckets spread over the masters', async () => {
    for (let n = 0; n < 12; n++) {
      expect(await sharedBurst(newClient())).toEqual([...Array(BURST).fill(200), 429]);
    }
    const perMaster = await cluster.keysPerMaster('bff:rl:*');
    expect(perMaster.size).toBe(3);
    // 12+ buckets over 3 masters: the Lua script ran on more than one node.
    expect([...perMaster.values()].filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
  });

  it('shares the cache level 2 and purges a tag on every instance', async () => {
    await expectSharedCache('prd_0003');
    const purged = await fetch(`${admin.url}/ops/cache/purge`, {
      method: 'POST',
      headers: {
        ...internalHeaders({ sub: 'ops', roles: ['admin'], aud: 'admin-bff', scope: ADMIN_SCOPES }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ tag: 'product:prd_0003' }),
    });
    expect(purged.status).toBe(200);
    // The purge reaches each instance's memory over pub/sub: both miss again.
    await until(
      async () =>
        (await get(webA, '/products/prd_0003', newClient())).headers.get('x-cache') === 'MISS',
      10_000,
      'web A purged',
    );
    expect((await get(webB, '/products/prd_0003', newClient())).headers.get('x-cache')).not.toBe(
      'MISS',
    );
  });

  it('stores API keys in the cluster: created, used, revoked without restart', async () => {
    const lines: string[] = [];
    const config = loadConfig(sandboxEnv(sandbox, env));
    const cli = (args: string[]) => runApiKeyCli(args, config, (line) => lines.push(line));
    expect(
      await cli(['create', '--client', 'acme', '--roles', 'support', '--scopes', 'users:read']),
    ).toBe(0);
    const key = lines[0];
    const status = async () =>
      (await fetch(`${admin.url}/users?pageSize=1`, { headers: { 'x-api-key': key } })).status;
    await until(async () => (await status()) === 200, 10_000, 'API key accepted');
    const id = lines[1].split(' ')[1];
    expect(await cli(['revoke', '--id', id])).toBe(0);
    await until(async () => (await status()) === 401, 10_000, 'API key revoked');
  });

  it('keeps browser sessions in the cluster: signed in on one instance, known to the other', async () => {
    const [one, two] = sessionWebs;
    const jar = new CookieJar();
    await loginThroughBff(jar, one.url, 'usr_0002');
    const cookie = `bff-session=${jar.get(one.url, 'bff-session')}`;
    const user = (web: RunningWeb) =>
      fetch(`${web.url}/auth/user`, { headers: { cookie, 'x-csrf': '1' } });
    expect((await user(one)).status).toBe(200);
    expect((await user(two)).status).toBe(200);
    const keys = [...(await cluster.keysPerMaster('bff:session:*')).values()].flat();
    expect(keys.length).toBeGreaterThan(0);
    const out = await fetch(`${two.url}/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf': '1' },
      redirect: 'manual',
    });
    expect(out.status).toBeLessThan(400);
    expect((await user(one)).status).toBe(401);
  });

  it('appends the audit trail to a stream in the cluster', async () => {
    const before = Number(await cluster.cli(cluster.nodes[0].port, '-c', 'xlen', 'bff:audit'));
    const res = await fetch(`${admin.url}/orders/ord_00012/status`, {
      method: 'PATCH',
      headers: {
        ...internalHeaders({ sub: 'ops', roles: ['admin'], aud: 'admin-bff', scope: ADMIN_SCOPES }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ status: 'cancelled', reason: 'cluster test' }),
    });
    expect(res.status).toBeLessThan(500);
    await until(
      async () =>
        Number(await cluster.cli(cluster.nodes[0].port, '-c', 'xlen', 'bff:audit')) > before,
      10_000,
      'audit record in the stream',
    );
  });

  it('keeps answering while a master dies (fail open), and shares limits again after failover', async () => {
    const masters = await cluster.masterPorts();
    expect(masters).toHaveLength(3);
    const statuses = new Map<number, number>();
    const seen = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    let stop = false;
    // Steady traffic from fresh clients on both instances, from before the kill to the end.
    const traffic = (async () => {
      while (!stop) {
        const ip = newClient();
        seen((await get(webA, LIMITED, ip)).status);
        seen((await get(webB, LIMITED, ip)).status);
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 300));
      // Its replica (in sync, see RedisCluster.start) takes over after the 1 s node timeout.
      const { promoted } = await cluster.failOver(masters[0], 30_000);

      // The clients follow the new topology (MOVED to the promoted replica): the limits are shared
      // again. Twelve fresh clients in a row, spread over the slots.
      await until(
        async () => {
          for (let n = 0; n < 12; n++) {
            if ((await sharedBurst(newClient())).at(-1) !== 429) return false;
          }
          return true;
        },
        15_000,
        'limits shared again after failover',
      );
      // Then every bucket is shared, the failed shard's included: 24 more clients (the chance
      // that none lands on the promoted replica's third of the slots is below 1 in 10 000).
      const before = new Set((await cluster.keysPerMaster('bff:rl:*')).get(promoted));
      for (let n = 0; n < 24; n++) {
        expect(await sharedBurst(newClient())).toEqual([...Array(BURST).fill(200), 429]);
      }
      const after = (await cluster.keysPerMaster('bff:rl:*')).get(promoted) ?? [];
      expect(after.filter((key) => !before.has(key)).length).toBeGreaterThan(0);

      // The shared cache works again: stored by A, a hit on B, then a purge reaches B over pub/sub.
      await expectSharedCache('prd_0007');
      const purged = await fetch(`${admin.url}/ops/cache/purge`, {
        method: 'POST',
        headers: {
          ...internalHeaders({
            sub: 'ops',
            roles: ['admin'],
            aud: 'admin-bff',
            scope: ADMIN_SCOPES,
          }),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ tag: 'product:prd_0007' }),
      });
      expect(purged.status).toBe(200);
      await until(
        async () =>
          (await get(webB, '/products/prd_0007', newClient())).headers.get('x-cache') === 'MISS',
        10_000,
        'web B purged after failover',
      );

      // API keys work again: a key created now is accepted by the running admin BFF.
      const lines: string[] = [];
      const config = loadConfig(sandboxEnv(sandbox, env));
      const cli = (args: string[]) => runApiKeyCli(args, config, (line) => lines.push(line));
      expect(
        await cli([
          'create',
          '--client',
          'after-failover',
          '--roles',
          'support',
          '--scopes',
          'users:read',
        ]),
      ).toBe(0);
      const key = lines[0];
      const status = async () =>
        (await fetch(`${admin.url}/users?pageSize=1`, { headers: { 'x-api-key': key } })).status;
      await until(async () => (await status()) === 200, 10_000, 'API key accepted after failover');
    } finally {
      stop = true;
      await traffic;
    }
    // Fail open throughout: local limits while the shard was down, never a 5xx.
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(0);
  }, 90_000);
});
