import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { createAdminBff } from '../../apps/admin-bff/src/admin-bff.app';
import { type Sandbox, sandboxEnv, startSandbox } from './stack';

export const ADMIN_CLIENT_SECRET = 'admin-session-test-secret';

/** A sandbox whose IdP registers the admin-bff client with callbacks on the given ports. */
export function startAdminSessionSandbox(adminPorts: number[]): Promise<Sandbox> {
  return startSandbox({
    idp: {
      webClients: [
        {
          clientId: 'admin-bff',
          clientSecret: ADMIN_CLIENT_SECRET,
          redirectUris: adminPorts.map((p) => `http://127.0.0.1:${p}/auth/callback`),
          postLogoutRedirectUris: adminPorts.map((p) => `http://127.0.0.1:${p}/`),
        },
      ],
    },
  });
}

export interface RunningAdmin {
  app: NestFastifyApplication;
  url: string;
}

/** The real admin BFF on `port`, its panel logging in through the sandbox IdP. */
export async function startSessionAdmin(
  sandbox: Sandbox,
  port: number,
  env: Record<string, string> = {},
): Promise<RunningAdmin> {
  const config = loadConfig(
    sandboxEnv(sandbox, {
      ADMIN_BFF_PORT: String(port),
      ADMIN_SESSION_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
      AUTH_OIDC_ISSUERS: sandbox.idp.issuer,
      ...env,
    }),
  );
  const app = await createAdminBff(config);
  await app.listen(port, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${port}` };
}
