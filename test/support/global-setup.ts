import { ensureRedis } from './redis-bootstrap';

/**
 * Jest global setup of the e2e project (not run for unit tests alone): the Redis-backed suites
 * need a Redis at `REDIS_URL`. When none answers, a private redis-server is started for the run
 * (and `REDIS_URL` pointed at it, which the test processes inherit), or the run stops at once with
 * one line saying how to get one.
 */
export default async function globalSetup(): Promise<void> {
  const wanted = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = await ensureRedis(wanted);
  if ('error' in redis) {
    process.stderr.write(`\n${redis.error}\n`);
    process.exit(1);
  }
  if (redis.child !== undefined) {
    process.env.REDIS_URL = redis.url;
    process.stderr.write(`\nNo Redis at ${wanted}: started a private one at ${redis.url}\n`);
    // Read by global-teardown.ts (globalSetup and globalTeardown share this global).
    (globalThis as { __testRedis?: typeof redis.child }).__testRedis = redis.child;
    // If jest dies before its teardown, do not leave the server behind.
    const child = redis.child;
    process.once('exit', () => child.kill('SIGKILL'));
  }
}
