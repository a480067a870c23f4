import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { createWebBff } from '../../apps/web-bff/src/web-bff.app';
import { type Sandbox, sandboxEnv, startSandbox } from './stack';
import { CookieJar, walkLogin } from './oidc-login';

/** A free TCP port: the IdP must know the web BFF's callback URL before the BFF starts. */
export { freePort } from './free-port';

export const WEB_CLIENT_SECRET = 'session-test-secret';

/** A sandbox whose IdP registers web-bff callbacks on the given ports. */
export function startSessionSandbox(
  webPorts: number[],
  accessTokenTtlSeconds = 300,
): Promise<Sandbox> {
  return startSandbox({
    idp: {
      accessTokenTtlSeconds,
      webClients: [
        {
          clientId: 'web-bff',
          clientSecret: WEB_CLIENT_SECRET,
          redirectUris: webPorts.map((p) => `http://127.0.0.1:${p}/auth/callback`),
          postLogoutRedirectUris: webPorts.map((p) => `http://127.0.0.1:${p}/`),
        },
      ],
    },
  });
}

export interface RunningWeb {
  app: NestFastifyApplication;
  url: string;
}

/** The real web BFF on `port`, logging in through the sandbox IdP. */
export async function startSessionWeb(
  sandbox: Sandbox,
  port: number,
  env: Record<string, string> = {},
): Promise<RunningWeb> {
  const config = loadConfig(
    sandboxEnv(sandbox, {
      WEB_BFF_PORT: String(port),
      SESSION_ISSUER: sandbox.idp.issuer,
      SESSION_CLIENT_SECRET: WEB_CLIENT_SECRET,
      AUTH_OIDC_ISSUERS: sandbox.idp.issuer,
      ...env,
    }),
  );
  const app = await createWebBff(config);
  await app.listen(port, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${port}` };
}

/** Signs `userId` in through the BFF's `/auth/login`; the jar then holds the session cookie. */
export async function loginThroughBff(
  jar: CookieJar,
  webUrl: string,
  userId: string,
): Promise<void> {
  const trace = await walkLogin(jar, `${webUrl}/auth/login?returnTo=/signed-in`, userId, (u) =>
    u.startsWith(`${webUrl}/signed-in`),
  );
  if (trace.stoppedAt === undefined) {
    throw new Error(`login failed: ${trace.response.status} after ${trace.visited.join(' -> ')}`);
  }
}
