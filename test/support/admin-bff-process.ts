import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { BffProcess } from './bff-process';
import { type Sandbox, sandboxEnv } from './stack';

const ROOT = resolve(__dirname, '../..');

/** Spawns `apps/admin-bff/src/main.ts` against the sandbox on an ephemeral port (for signals). */
export function spawnAdminBff(sandbox: Sandbox, env: Record<string, string>): BffProcess {
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'test/support/run-ts.mjs'), 'apps/admin-bff/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...sandboxEnv(sandbox, {
          LOG_LEVEL: 'info',
          ADMIN_BFF_PORT: '0',
          BFF_HOST: '127.0.0.1',
          ...env,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => output, exited };
}
