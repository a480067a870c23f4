import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';

jest.setTimeout(180_000);

/** The bash block of the README's "A curl session", as written. */
function readmeSession(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## A curl session'));
  const block = /```bash\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('README: no bash block under "A curl session"');
  return block[1];
}

/**
 * Runs the README's curl session against a sandbox and the three BFFs. The only changes are the
 * addresses (ephemeral ports instead of 3001-3003 and 4000, so it can run beside `npm start`) and
 * the audit log's path (a temporary file).
 */
describe('README curl session', () => {
  let sandbox: Sandbox;
  const apps: RunningApp[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bff-readme-'));
    sandbox = await startSandbox();
    const env = {
      AUTH_OIDC_ISSUERS: sandbox.idp.issuer,
      AUDIT_LOG_PATH: join(dir, 'audit.log'),
    };
    for (const factory of [createWebBff, createMobileBff, createAdminBff]) {
      apps.push(await startApp(factory, sandbox, env));
    }
    // The session starts as a reader would after `npm start` settles: every BFF ready. Its first
    // readiness check can outlast HEALTH_TIMEOUT_MS on a loaded machine (seen in a parallel run).
    const deadline = Date.now() + 60_000;
    for (const { url } of apps) {
      while ((await fetch(`${url}/health/ready`)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`${url} did not become ready`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.app.close()));
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written, every documented answer as documented', async () => {
    const [web, mobile, admin] = apps.map((a) => new URL(a.url).host);
    const script = readmeSession()
      .replaceAll('localhost:3001', web)
      .replaceAll('localhost:3002', mobile)
      .replaceAll('localhost:3003', admin)
      .replaceAll('localhost:4000', new URL(sandbox.controlUrl).host)
      .replaceAll('.data/audit.log', join(dir, 'audit.log'));
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn('bash', ['-c', `set -eu\n${script}`], {
        env: { ...process.env, SANDBOX_IDP_URL: sandbox.idp.issuer },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    // npm may warn about the machine's own settings; anything else on stderr is a failed command.
    const errors = stderr
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^npm warn/i.test(l))
      .join('\n');
    expect({ code, errors }).toEqual({ code: 0, errors: '' });
    expect(stdout).not.toMatch(/"statusCode":5\d\d/);
    for (const expected of [
      '"status":"ok"',
      '"statusCode":401',
      '"code":"INSUFFICIENT_SCOPE"',
      'x-partial-response: reviews',
      '"availability":{"inStock"',
      '"nextCursor":',
      '"lines":[{"productId"',
      '"tiles":[{"id"',
      'bytes br',
      'bff_http_requests_total',
    ]) {
      expect(stdout).toContain(expected);
    }
  });
});
