import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port';

/** True when something speaking RESP answers at `url` within `timeoutMs` (an auth error counts). */
export function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname.replace(/^\[|\]$/g, ''));
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^[+-]/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The `redis-server` executable on `path` (a PATH value), if any. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** What the test run uses: the Redis that answered, or a private one this run started. */
export type RedisForTests = { url: string; child?: ChildProcess } | { error: string };

/** The one line a newcomer sees when there is no Redis and no way to start one. */
export const noRedisMessage = (url: string): string =>
  `npm test needs Redis: nothing answers at ${url} and redis-server is not installed ` +
  '(install it: apt-get install redis-server, brew install redis; or set REDIS_URL to a running Redis)';

/**
 * The Redis of a test run: `url` when something answers there; else a private `redis-server`
 * (no persistence, loopback, a free port) when the binary is on `path`; else the one-line error.
 */
export async function ensureRedis(url: string, path?: string): Promise<RedisForTests> {
  if (await redisAnswers(url)) return { url };
  const binary = findRedisServer(path);
  if (binary === undefined) return { error: noRedisMessage(url) };
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const own = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await redisAnswers(own, 200)) return { url: own, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  return { error: `${noRedisMessage(url)}; ${binary} did not start on port ${port}` };
}
