import type { ChildProcess } from 'node:child_process';

/** Stops the private redis-server that global-setup.ts started, if it started one. */
export default function globalTeardown(): void {
  (globalThis as { __testRedis?: ChildProcess }).__testRedis?.kill('SIGKILL');
}
