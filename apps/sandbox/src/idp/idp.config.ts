import type { BffConfig } from '@app/config';
import type { SandboxIdpOptions } from './idp.types';

/** IdP options from the validated config: the web-bff client mirrors the `session` settings. */
export function sandboxIdpOptions(config: BffConfig): SandboxIdpOptions {
  const { idp } = config.sandbox;
  const { session } = config;
  return {
    port: idp.port,
    issuer: idp.issuer,
    accessTokenTtlSeconds: idp.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: idp.refreshTokenTtlSeconds,
    webClients: [
      {
        clientId: session.clientId,
        clientSecret: session.clientSecret,
        redirectUris: [session.redirectUri],
        postLogoutRedirectUris: [session.postLogoutRedirectUri],
        // The BFF's back-channel logout endpoint, on the origin of its callback.
        backchannelLogoutUri: new URL('/auth/backchannel-logout', session.redirectUri).href,
      },
    ],
  };
}
