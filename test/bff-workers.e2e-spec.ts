import { spawnWebBff } from './support/bff-process';
import { type Sandbox, startSandbox } from './support/stack';

/**
 * `BFF_WORKERS` > 1 with the memory rate-limit store gives each worker its own limits: the cluster
 * primary says so once, at start, before the workers serve.
 */

const WARNING = 'BFF_WORKERS=2 with the memory rate-limit store';

async function runTwoWorkers(
  sandbox: Sandbox,
  env: Record<string, string>,
): Promise<{ lines: Record<string, unknown>[]; code: number | null }> {
  const proc = spawnWebBff(sandbox, { BFF_WORKERS: '2', ...env });
  const { child } = proc;
  try {
    // Each worker compiles and boots a whole app: under a loaded CI machine that took over 30 s.
    const end = Date.now() + 90_000;
    while ((proc.output().match(/listening on/g) ?? []).length < 2) {
      if (Date.now() > end || child.exitCode !== null) {
        throw new Error(`two workers did not start:\n${proc.output()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
  }
  const { code } = await proc.exited;
  const lines = proc
    .output()
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
  }, 120_000);

  it('says nothing when limits are off', async () => {
    const { lines, code } = await runTwoWorkers(sandbox, { RATE_LIMIT_ENABLED: 'false' });
    expect(lines.filter((l) => l.role === 'primary' && l.level === 'warn')).toEqual([]);
    expect(code).toBe(0);
  }, 120_000);
});
