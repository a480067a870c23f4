import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type BffConfig } from '@app/config';
import { startSandbox, type Sandbox } from '../../apps/sandbox/src/sandbox';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_INTERNAL_SECRET } from './auth';

export type AppFactory = (config: BffConfig) => Promise<NestFastifyApplication>;

/** Environment pointing every downstream at the sandbox. */
export function sandboxEnv(
  sandbox: Sandbox,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DOWNSTREAM_USERS_URL: sandbox.urls.users,
    DOWNSTREAM_ORDERS_URL: sandbox.urls.orders,
    DOWNSTREAM_CATALOG_URL: sandbox.urls.catalog,
    DOWNSTREAM_INVENTORY_URL: sandbox.urls.inventory,
    DOWNSTREAM_REVIEWS_URL: sandbox.urls.reviews,
    // Browser sessions log in at this sandbox's IdP (ephemeral port).
    SESSION_ISSUER: sandbox.idp.issuer,
    // Auth: internal HS256 callers (test/support/auth.ts) and files outside the work tree.
    AUTH_INTERNAL_HS256_SECRET: TEST_INTERNAL_SECRET,
    AUDIT_LOG_PATH: join(tmpdir(), `bff-test-audit-${process.pid}.log`),
    AUTH_API_KEYS_FILE: join(tmpdir(), `bff-test-api-keys-${process.pid}.json`),
    // admin-bff's consumer of the orders event stream would add calls to orders doubles' counts;
    // the live feed's tests turn it on.
    EVENTS_ORDERS_STREAM: 'false',
    ...extra,
  };
}

export interface RunningApp {
  app: NestFastifyApplication;
  url: string;
  config: BffConfig;
}

/** Boots an app on an ephemeral port against the sandbox. */
export async function startApp(
  factory: AppFactory,
  sandbox: Sandbox,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const config = loadConfig(sandboxEnv(sandbox, env));
  const app = await factory(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { app, url: `http://127.0.0.1:${address.port}`, config };
}

export { startSandbox, type Sandbox };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- e2e bodies are asserted field by field
export type Json = any;

/** Parses a JSON response body for assertions. */
export const json = (res: Response): Promise<Json> => res.json() as Promise<Json>;

/**
 * The seeded user with the most orders (the first on a tie), and those orders as the orders
 * service lists them: enough for multi-page walks. Calls the sandbox, so callers reset its stats.
 */
export async function busiestUser(sandbox: Sandbox): Promise<{ userId: string; orders: Json[] }> {
  const all = await json(await fetch(`${sandbox.urls.orders}/orders?pageSize=100`));
  const counts = new Map<string, number>();
  for (const o of all.items as { userId: string }[]) {
    counts.set(o.userId, (counts.get(o.userId) ?? 0) + 1);
  }
  const [userId] = [...counts].sort((a, b) => b[1] - a[1])[0];
  const own = await json(
    await fetch(`${sandbox.urls.orders}/orders?userId=${userId}&pageSize=100`),
  );
  return { userId, orders: own.items };
}
