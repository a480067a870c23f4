// oidc-provider ships no type declarations; this covers the part of its API the sandbox IdP uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcClient {
    readonly clientId: string;
    grantTypeAllowed(type: string): boolean;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export class ResourceServer {
    constructor(identifier: string, info: ResourceServerInfo);
    readonly audience?: string;
    readonly accessTokenTTL?: number;
    identifier(): string;
  }

  export interface TokenLike {
    readonly kind: string;
    readonly accountId?: string;
    readonly clientId?: string;
    readonly resourceServer?: ResourceServer;
  }

  export class AccessToken implements TokenLike {
    constructor(init: {
      accountId: string;
      client: OidcClient;
      scope?: string;
      gty?: string;
      expiresIn?: number;
      resourceServer?: ResourceServer;
    });
    readonly kind: string;
    readonly accountId?: string;
    readonly clientId?: string;
    readonly resourceServer?: ResourceServer;
    readonly expiration: number;
    save(): Promise<string>;
  }

  export class Grant {
    constructor(init: { clientId: string; accountId: string });
    static find(id: string): Promise<Grant | undefined>;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface InteractionDetails {
    readonly uid: string;
    readonly prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    readonly params: Record<string, unknown>;
    readonly grantId?: string;
    readonly session?: { accountId: string };
  }

  export interface InteractionResult {
    login?: { accountId: string };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  }

  export interface ProviderContext {
    readonly oidc: {
      readonly client?: OidcClient;
      readonly session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
      readonly result?: { consent?: { grantId?: string } };
      readonly params?: Record<string, unknown>;
      readonly provider: Provider;
    };
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    readonly Client: { find(id: string): Promise<OidcClient | undefined> };
    readonly AccessToken: typeof AccessToken;
    readonly Grant: typeof Grant;
    readonly ResourceServer: typeof ResourceServer;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: never[]) => void): this;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    AccessDenied: new (description?: string) => Error;
  };

  export default Provider;
}
