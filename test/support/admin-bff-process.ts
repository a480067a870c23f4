import { type BffProcess, spawnBff } from './bff-process';
import type { Sandbox } from './stack';

/** Spawns `apps/admin-bff/src/main.ts` against the sandbox on an ephemeral port (for signals). */
export function spawnAdminBff(sandbox: Sandbox, env: Record<string, string>): BffProcess {
  return spawnBff('admin-bff', sandbox, env);
}
