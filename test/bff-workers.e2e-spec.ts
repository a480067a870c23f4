import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { type Sandbox, sandboxEnv, startSandbox } from './support/stack';

/**
 * `BFF_WORKERS` > 1 with the memory rate-limit store gives each worker its own limits: the cluster
 * primary says so once, at start, before the workers serve.
 */

const ROOT = resolve(__dirname, '..');
const WARNING = 'BFF_WORKERS=2 with the memory rate-limit store';

async function runTwoWorkers(
  sandbox: Sandbox,
  env: Record<string, string>,
): Promise<{ lines: Record<string, unknown>[]; code: number | null }> {
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'test/support/run-ts.mjs'), 'apps/web-bff/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...sandboxEnv(sandbox, {
          LOG_LEVEL: 'info',
          WEB_BFF_PORT: '0',
          BFF_HOST: '127.0.0.1',
          BFF_WORKERS: '2',
          ...env,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    const end = Date.now() + 30_000;
    while ((output.match(/listening on/g) ?? []).length < 2) {
      if (Date.now() > end || child.exitCode !== null) {
        throw new Error(`two workers did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
  }
  const code = await exited;
  const lines = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, code };
}

describe('BFF_WORKERS > 1', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox?.close());

  it('warns once at start when every worker would keep its own rate limits', async () => {
    const { lines, code } = await runTwoWorkers(sandbox, {});
    const warnings = lines.filter((l) => String(l.msg).includes(WARNING));
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 'warn',
        role: 'primary',
        msg: expect.stringContaining('a client gets up to 2x every limit'),
      }),
    ]);
    // Before any worker serves.
    const first = lines.findIndex((l) => String(l.msg).startsWith('listening on'));
    expect(lines.indexOf(warnings[0])).toBeLessThan(first);
    expect(code).toBe(0);
  }, 60_000);

  it('says nothing when limits are off', async () => {
    const { lines, code } = await runTwoWorkers(sandbox, { RATE_LIMIT_ENABLED: 'false' });
    expect(lines.filter((l) => l.role === 'primary' && l.level === 'warn')).toEqual([]);
    expect(code).toBe(0);
  }, 60_000);
});
