import type { BffConfig } from '@app/config';
import type { SandboxIdpOptions } from './idp.types';

/** IdP options from the validated config: the web-bff and admin-bff clients mirror their session settings. */
export function sandboxIdpOptions(config: BffConfig): SandboxIdpOptions {
  const { idp } = config.sandbox;
  const { session } = config;
  return {
    port: idp.port,
    issuer: idp.issuer,
    accessTokenTtlSeconds: idp.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: idp.refreshTokenTtlSeconds,
    // web-bff and admin-bff (the admin panel), each with its own client.
    webClients: [session, config.adminSession].map((client) => ({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUris: [client.redirectUri],
      postLogoutRedirectUris: [client.postLogoutRedirectUri],
      // The BFF's back-channel logout endpoint, on the origin of its callback.
      backchannelLogoutUri: new URL('/auth/backchannel-logout', client.redirectUri).href,
    })),
  };
}
