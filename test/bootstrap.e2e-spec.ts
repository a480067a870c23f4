import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain ESM script of scripts/ (no type declarations)
import { isBuildCurrent, sourceFingerprint, writeBuildStamp } from '../scripts/build-stamp.mjs';
import { closedPort } from './support/free-port';
import { ensureRedis, redisAnswers } from './support/redis-bootstrap';

jest.setTimeout(90_000);

/** Runs a command to its end; what it printed and how it ended. */
function run(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('npm test bootstrap: a Redis for the run', () => {
  it('starts a private redis-server when nothing answers at REDIS_URL', async () => {
    const nothing = `redis://127.0.0.1:${await closedPort()}`;
    expect(await redisAnswers(nothing)).toBe(false);
    const redis = await ensureRedis(nothing);
    if ('error' in redis) throw new Error(redis.error);
    expect(redis.url).not.toBe(nothing);
    expect(await redisAnswers(redis.url)).toBe(true);
    const exited = new Promise((r) => redis.child?.once('exit', r));
    redis.child?.kill('SIGKILL');
    await exited;
  });

  it('uses the Redis that answers, starting nothing', async () => {
    const own = await ensureRedis(`redis://127.0.0.1:${await closedPort()}`);
    if ('error' in own) throw new Error(own.error);
    const again = await ensureRedis(own.url);
    expect(again).toEqual({ url: own.url });
    own.child?.kill('SIGKILL');
  });

  it('without redis-server, jest stops at once with one line saying how to get one', async () => {
    const nothing = `redis://127.0.0.1:${await closedPort()}`;
    const result = await run(
      ['node_modules/jest/bin/jest.js', '--selectProjects=e2e', 'test/web-lists.e2e-spec.ts'],
      { ...process.env, PATH: '/nonexistent', REDIS_URL: nothing },
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => /redis/i.test(l));
    expect(lines).toEqual([
      `npm test needs Redis: nothing answers at ${nothing} and redis-server is not installed ` +
        '(install it: apt-get install redis-server, brew install redis; or set REDIS_URL to a running Redis)',
    ]);
    // Stopped in the global setup: no suite ran.
    expect(result.stderr).not.toMatch(/PASS|FAIL|Tests:/);
  });
});

describe('npm start bootstrap', () => {
  it('a bad configuration value stops start-up before any build, naming the variable', async () => {
    const result = await run(['scripts/prestart.mjs'], {
      ...process.env,
      RATE_LIMIT_STORE: 'bogus',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/RATE_LIMIT_STORE must be one of memory, redis \(got "bogus"\)/);
    expect(result.stdout).not.toMatch(/built|up to date/);
  });

  it('builds only when a source changed: the fingerprint follows the sources', () => {
    const root = mkdtempSync(join(tmpdir(), 'bff-stamp-'));
    try {
      mkdirSync(join(root, 'apps/web/src'), { recursive: true });
      mkdirSync(join(root, 'dist'));
      writeFileSync(join(root, 'tsconfig.json'), '{}');
      writeFileSync(join(root, 'apps/web/src/main.ts'), 'export const a = 1;');
      const first = sourceFingerprint(root);
      expect(isBuildCurrent(join(root, 'dist'), first)).toBe(false);
      writeBuildStamp(join(root, 'dist'), first);
      expect(isBuildCurrent(join(root, 'dist'), sourceFingerprint(root))).toBe(true);
      // A spec is not part of the build.
      writeFileSync(join(root, 'apps/web/src/main.spec.ts'), 'it.todo("x");');
      expect(sourceFingerprint(root)).toBe(first);
      writeFileSync(join(root, 'apps/web/src/main.ts'), 'export const a = 2;');
      expect(isBuildCurrent(join(root, 'dist'), sourceFingerprint(root))).toBe(false);
      writeFileSync(join(root, 'apps/web/src/main.ts'), 'export const a = 1;');
      writeFileSync(join(root, 'apps/web/src/extra.ts'), '');
      expect(sourceFingerprint(root)).not.toBe(first);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
