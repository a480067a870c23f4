import { randomBytes } from 'node:crypto';
import {
  Provider,
  errors,
  type OidcClient,
  type ProviderContext,
  type TokenLike,
} from 'oidc-provider';
import { IdpAccounts } from './idp.accounts';
import { IdpAdapter, IdpStorage } from './idp.adapter';
import { escapeHtml, page } from './idp.pages';
import {
  API_SCOPES,
  BFF_AUDIENCES,
  BffAudience,
  IdpWebClient,
  SANDBOX_CLI_CLIENT,
  resourceFor,
} from './idp.types';

export interface IdpProviderOptions {
  issuer: string;
  accounts: IdpAccounts;
  /** Private signing JWKs (RS256). */
  signingKeys: readonly Record<string, unknown>[];
  webClients: readonly IdpWebClient[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Claims of tokens minted by `/dev/token`, looked up by token instance. */
  devClaims: WeakMap<object, Record<string, unknown>>;
}

const OIDC_SCOPES = 'openid profile email offline_access';
const AUDIENCE_BY_RESOURCE = new Map<string, BffAudience>(
  BFF_AUDIENCES.map((audience) => [resourceFor(audience), audience]),
);

/** RFC 9068 JWT access tokens for the BFF audiences, signed with the IdP's keys. */
function resourceServerInfo(audience: BffAudience, ttl: number) {
  return {
    scope: API_SCOPES.join(' '),
    audience,
    accessTokenTTL: ttl,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'RS256' } },
  };
}

export { resourceServerInfo };

/** The oidc-provider configuration of the sandbox's dev identity provider. */
export function createIdpProvider(options: IdpProviderOptions): Provider {
  const { accounts, devClaims } = options;
  const storage = new IdpStorage();

  const provider = new Provider(options.issuer, {
    clients: [
      ...options.webClients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        client_name: c.clientId,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
        token_endpoint_auth_method: 'client_secret_basic',
        ...(c.backchannelLogoutUri === undefined
          ? {}
          : {
              backchannel_logout_uri: c.backchannelLogoutUri,
              backchannel_logout_session_required: true,
            }),
      })),
      {
        client_id: SANDBOX_CLI_CLIENT.clientId,
        client_secret: SANDBOX_CLI_CLIENT.clientSecret,
        client_name: 'sandbox command line',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    adapter: class extends IdpAdapter {
      constructor(model: string) {
        super(model, storage);
      }
    },
    jwks: { keys: options.signingKeys },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // API scopes belong to the resource servers (getResourceServerInfo), not to OIDC.
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'picture', 'roles', 'tier', 'org_id'],
      email: ['email', 'email_verified'],
    },
    // The ID token carries the profile claims, so the BFF needs no userinfo call.
    conformIdTokenClaims: false,
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.find(sub);
      if (account === undefined) return undefined;
      return { accountId: sub, claims: () => accounts.claims(account) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A client may revoke or introspect only its own tokens.
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: OidcClient, token: TokenLike) =>
          token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: OidcClient, token: TokenLike) =>
          token.clientId === client.clientId,
      },
      // Ending an IdP session posts a logout token (with `sid`) to each client's back-channel URI.
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: { body: string }, form: string) => {
          ctx.body = page(
            'Sign out',
            `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign me out</button>`,
          );
        },
        postLogoutSuccessSource: (ctx: { body: string }) => {
          ctx.body = page('Signed out', '<p>You are signed out of the sandbox IdP.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        // A BFF client gets its own audience without having to ask; everything else web-bff.
        defaultResource: (_ctx: unknown, client: OidcClient, oneOf?: string[]) =>
          oneOf ??
          resourceFor(
            (BFF_AUDIENCES as readonly string[]).includes(client.clientId)
              ? (client.clientId as BffAudience)
              : 'web-bff',
          ),
        // The token endpoint reuses the resource granted at the authorization endpoint.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          const audience = AUDIENCE_BY_RESOURCE.get(indicator);
          if (audience === undefined) {
            throw new errors.InvalidTarget(
              `unknown resource; use one of ${[...AUDIENCE_BY_RESOURCE.keys()].join(', ')}`,
            );
          }
          return resourceServerInfo(audience, options.accessTokenTtlSeconds);
        },
      },
    },
    // oidc-provider refuses outgoing requests to loopback and private addresses (SSRF guard); the
    // dev IdP's only outgoing requests are back-channel logouts to BFFs on this machine.
    fetch: (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ssrfGuard, ...rest } = init;
      return fetch(url, rest);
    },
    pkce: { required: () => true },
    extraTokenClaims: (_ctx: unknown, token: TokenLike) => {
      const minted = devClaims.get(token);
      if (minted !== undefined) return minted;
      if (token.kind === 'ClientCredentials') return { roles: [], tier: 'internal' };
      const account = token.accountId === undefined ? undefined : accounts.find(token.accountId);
      if (account === undefined) return undefined;
      return { roles: account.roles, tier: account.tier, org_id: account.orgId };
    },
    // Every web client gets refresh tokens; offline_access would need an explicit consent prompt.
    issueRefreshToken: (_ctx: unknown, client: OidcClient) =>
      client.grantTypeAllowed('refresh_token'),
    // Strict rotation: a refresh token works once, so a double refresh by a BFF shows up as a failure.
    rotateRefreshToken: () => true,
    // First-party dev clients: consent is implied; the grant covers every scope and BFF audience.
    loadExistingGrant: async (ctx: ProviderContext) => {
      const { client, session, result } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId !== undefined) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing !== undefined) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope(OIDC_SCOPES);
      for (const resource of AUDIENCE_BY_RESOURCE.keys()) {
        grant.addResourceScope(resource, API_SCOPES.join(' '));
      }
      await grant.save();
      return grant;
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    clientBasedCORS: () => false,
    renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        Object.entries(out)
          .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(String(v))}</p>`)
          .join(''),
      );
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: TokenLike) =>
        token.resourceServer?.accessTokenTTL ?? options.accessTokenTtlSeconds,
      ClientCredentials: (_ctx: unknown, token: TokenLike) =>
        token.resourceServer?.accessTokenTTL ?? options.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3_600,
      RefreshToken: options.refreshTokenTtlSeconds,
      Interaction: 600,
      Session: options.refreshTokenTtlSeconds,
      Grant: options.refreshTokenTtlSeconds,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
  });
  return provider;
}
