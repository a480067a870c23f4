import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { type Sandbox, sandboxEnv } from './stack';

const ROOT = resolve(__dirname, '../..');

/** A web BFF as its own process (run from source by run-ts.mjs), for signals and cluster tests. */
export interface BffProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

/** Spawns `apps/web-bff/src/main.ts` against the sandbox on an ephemeral port, logging JSON. */
export function spawnWebBff(sandbox: Sandbox, env: Record<string, string>): BffProcess {
  return spawnBff('web-bff', sandbox, env);
}

/** Spawns `apps/<app>/src/main.ts` against the sandbox on an ephemeral port, logging JSON. */
export function spawnBff(
  app: 'web-bff' | 'mobile-bff' | 'admin-bff',
  sandbox: Sandbox,
  env: Record<string, string>,
): BffProcess {
  const portVariable = `${app.split('-')[0].toUpperCase()}_BFF_PORT`;
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'test/support/run-ts.mjs'), `apps/${app}/src/main.ts`],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...sandboxEnv(sandbox, {
          LOG_LEVEL: 'info',
          [portVariable]: '0',
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

/** The URL of the first `listening on` line, or an error with the output after `timeoutMs`. */
export async function listeningUrl(proc: BffProcess, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening on (http:\/\/[0-9.]+:\d+)/.exec(proc.output());
    if (match !== null) return match[1];
    if (Date.now() > end || proc.child.exitCode !== null) {
      throw new Error(`no listen line:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
