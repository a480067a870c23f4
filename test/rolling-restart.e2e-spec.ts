import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { internalHeaders } from './support/auth';
import { type BffProcess, listeningUrl, spawnBff } from './support/bff-process';
import { freePort, until } from './support/redis-server';
import { SHARED_REDIS_URL } from './support/shared-redis';
import { type Sandbox, startSandbox } from './support/stack';

/*
 * A rolling restart behind a real load balancer: nginx (Debian `nginx-light`, started here on
 * loopback) in front of three web-bff processes sharing Redis. Under a steady, bounded load, each
 * instance in turn gets SIGTERM (it drains: SHUTDOWN_DELAY_MS with `Connection: close`, then its
 * listener closes and in-flight requests finish) and a replacement starts on its port. Not one
 * client request may fail, and the rate limits stay shared by the instances throughout.
 * Skipped when nginx is not installed (.ci/run installs it).
 */

const NGINX = '/usr/sbin/nginx';
const withNginx = spawnSync(NGINX, ['-v'], { stdio: 'ignore' }).status === 0 ? it : it.skip;
const INSTANCES = 3;
const BURST = 5;
const LOAD_LOOPS = 4;

function nginxConfig(dir: string, listen: number, upstreams: number[]): string {
  return `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream bff {
    ${upstreams.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=1s;`).join('\n    ')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://bff;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # A refused connection (an instance between its drain and its replacement) or a kept-alive
      # connection the instance closed: the request goes to the next instance. GETs only: nginx
      # never retries a POST or PATCH (non_idempotent is not listed).
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries ${INSTANCES};
      proxy_connect_timeout 1s;
    }
  }
}
`;
}

describe('rolling restart behind nginx', () => {
  let sandbox: Sandbox;
  let dir = '';
  let nginx: ChildProcess | undefined;
  let lb = '';
  const ports: number[] = [];
  const instances: BffProcess[] = [];
  const all: BffProcess[] = [];
  let env: Record<string, string> = {};

  const start = async (port: number): Promise<BffProcess> => {
    const proc = spawnBff('web-bff', sandbox, { ...env, WEB_BFF_PORT: String(port) });
    all.push(proc);
    await listeningUrl(proc, 150_000);
    return proc;
  };

  beforeAll(async () => {
    if (spawnSync(NGINX, ['-v'], { stdio: 'ignore' }).status !== 0) return;
    sandbox = await startSandbox();
    const prefix = `bff-roll-${randomUUID()}:`;
    env = {
      REDIS_URL: SHARED_REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: `${prefix}rl:`,
      CACHE_KEY_PREFIX: `${prefix}cache:`,
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_ANONYMOUS_BURST: String(BURST),
      // A token comes back every 12 s: a slow probe of six requests still meets the limit.
      RATE_LIMIT_BURST_WINDOW_SECONDS: '60',
      // The machine is loaded: Redis timeouts above its pauses.
      RATE_LIMIT_REDIS_TIMEOUT_MS: '1000',
      CACHE_REDIS_TIMEOUT_MS: '1000',
      SHUTDOWN_DELAY_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '10000',
      LOG_REQUESTS: 'false',
    };
    for (let i = 0; i < INSTANCES; i++) ports.push(await freePort());
    instances.push(...(await Promise.all(ports.map((port) => start(port)))));
    dir = mkdtempSync(join(tmpdir(), 'bff-nginx-'));
    mkdirSync(join(dir, 'tmp'));
    const listen = await freePort();
    lb = `http://127.0.0.1:${listen}`;
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, listen, ports));
    const child = spawn(
      NGINX,
      ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')],
      {
        stdio: 'ignore',
      },
    );
    nginx = child;
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    await until(
      async () => (await fetch(`${lb}/health/live`).catch(() => undefined))?.status === 200,
      20_000,
      'nginx forwarding',
    );
  }, 240_000);

  afterAll(async () => {
    for (const proc of all) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited;
      }
    }
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await sandbox?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  let clientNo = 0;
  /** Through nginx, BURST + 1 anonymous requests from a fresh address: the last is 429 if shared. */
  async function limitProbe(): Promise<number[]> {
    const ip = `10.30.${Math.floor(++clientNo / 250)}.${clientNo % 250}`;
    const statuses: number[] = [];
    for (let i = 0; i <= BURST; i++) {
      const res = await fetch(`${lb}/api/v1/catalog/products/prd_0001`, {
        headers: { 'x-forwarded-for': ip },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    return statuses;
  }

  withNginx(
    'restarts every instance in turn under load: no failed request, limits shared throughout',
    async () => {
      // Round-robin over the three instances: the probe's requests reach all of them.
      expect(await limitProbe()).toEqual([...Array(BURST).fill(200), 429]);

      const failures: string[] = [];
      let ok = 0;
      let stop = false;
      // Internal callers are not limited: the load itself never meets a 429.
      const loops = Array.from({ length: LOAD_LOOPS }, async () => {
        while (!stop) {
          try {
            const res = await fetch(`${lb}/products/prd_0001`, { headers: internalHeaders() });
            await res.arrayBuffer();
            if (res.status === 200) ok++;
            else failures.push(`status ${res.status}`);
          } catch (error) {
            failures.push(String(error));
          }
        }
      });

      const probes: number[][] = [];
      const exits: { code: number | null; signal: string | null }[] = [];
      for (let i = 0; i < INSTANCES; i++) {
        const before = ok;
        instances[i].child.kill('SIGTERM');
        // While it drains and until its replacement listens: limits still shared.
        probes.push(await limitProbe());
        exits.push(await instances[i].exited);
        instances[i] = await start(ports[i]);
        probes.push(await limitProbe());
        // The load kept flowing during this instance's restart.
        expect(ok).toBeGreaterThan(before);
      }
      stop = true;
      await Promise.all(loops);

      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(50);
      expect(exits).toEqual(Array(INSTANCES).fill({ code: 0, signal: null }));
      expect(probes).toEqual(Array(INSTANCES * 2).fill([...Array(BURST).fill(200), 429]));
    },
    600_000,
  );
});
