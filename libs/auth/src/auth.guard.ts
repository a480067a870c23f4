import { type Principal, type PublicMode, isBffError } from '@app/core';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type passport from 'passport';
import {
  AuthError,
  AuthProviderUnavailableError,
  InsufficientScopeError,
  InvalidAuthRequestError,
  InvalidCredentialsError,
  MissingCredentialsError,
  TokenRevokedError,
} from './auth.errors';
import { authMetrics } from './auth.metrics';
import { AUTH_OPTIONS, type ResolvedAuthOptions } from './auth.options';
import { declaredAuthorization } from './auth.decorators';
import { API_KEY_FORMAT, type ApiKeyStore, hashApiKey } from './api-key.store';
import {
  DECODED_TOKEN,
  INTERNAL_STRATEGY,
  OIDC_STRATEGY,
  type WithDecodedToken,
} from './jwt.strategy';
import { type JwtClaims, decodeJwt } from './jwt.token';
import { RevocationStore, type TokenFacts, tokenKeyOf } from './revocation.store';
import type { VerifiedTokenCache } from './verified-token.cache';

export const AUTHENTICATOR = Symbol('bff.passportAuthenticator');
export const API_KEY_STORE = Symbol('bff.apiKeyStore');
export const VERIFIED_TOKEN_CACHE = Symbol('bff.verifiedTokenCache');

/** What revocation checks need of a verified token, from its claims. */
function factsOf(raw: string, principal: Principal, claims: JwtClaims): TokenFacts {
  return {
    tokenKey: tokenKeyOf(raw, claims.jti),
    subject: principal.subject,
    issuedAt: typeof claims.iat === 'number' ? claims.iat * 1000 : undefined,
    client: principal.clientName,
  };
}

interface Requirements {
  readonly mode: PublicMode | 'required';
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

const BEARER = /^Bearer +([^ ]+) *$/i;

/**
 * The global guard of a BFF: who is calling (bearer JWT, internal HS256 JWT or API key) and may
 * they call this route (`@Public()`, `@Roles()`, `@Scopes()`, or the routing lib's per-route
 * settings). The verified caller becomes `request.bffContext.principal`; nothing a client sends
 * in other headers is ever taken as identity. Refusals are typed errors with an RFC 6750
 * challenge, thrown before any handler, so no downstream is called.
 */
@Injectable()
export class BffAuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');
  private readonly requirements = new WeakMap<object, Requirements>();
  /** Facts of verified tokens, keyed by the (frozen, cached) principal: computed once per token. */
  private readonly facts = new WeakMap<Principal, TokenFacts>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(AUTHENTICATOR) private readonly authenticator: passport.Authenticator,
    @Inject(API_KEY_STORE) private readonly apiKeys: ApiKeyStore,
    @Optional()
    @Inject(VERIFIED_TOKEN_CACHE)
    private readonly tokenCache?: VerifiedTokenCache,
    @Optional()
    @Inject(RevocationStore)
    private readonly revocations?: RevocationStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const needs = this.requirementsOf(context, request);
    if (needs.mode === 'anonymous') return true;
    let apiKeyUsed = false;
    try {
      const apiKey = request.headers['x-api-key'];
      apiKeyUsed = apiKey !== undefined;
      const principal = await this.authenticate(request, reply, apiKey);
      if (principal === undefined) {
        if (needs.mode === 'optional') return true;
        throw new MissingCredentialsError();
      }
      request.bffContext.principal = principal;
      this.authorize(principal, needs);
      return true;
    } catch (error) {
      throw this.refuse(error, reply, apiKeyUsed);
    }
  }

  /** The verified caller, or undefined when the request carries no credential at all. */
  private async authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
    apiKey: string | string[] | undefined,
  ): Promise<Principal | undefined> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined && apiKey !== undefined) {
      throw new InvalidAuthRequestError(
        'Send either a bearer token or an API key, not both',
        'ambiguous',
      );
    }
    if (apiKey !== undefined) return this.apiKeyPrincipal(apiKey);
    if (authorization === undefined) return undefined;
    const match = BEARER.exec(authorization);
    if (match === null) {
      throw new InvalidCredentialsError('Only Bearer tokens are accepted', 'malformed');
    }
    const raw = match[1];
    // Only the exact string of a token that passed every check is ever found here.
    const cached = this.tokenCache?.get(raw);
    if (cached !== undefined) {
      // Revocation is checked on cache hits too: the cache only spares the verification.
      const facts = this.facts.get(cached);
      if (facts !== undefined && this.revocations?.isRevoked(facts) === true) {
        throw new TokenRevokedError();
      }
      return cached;
    }
    const token = decodeJwt(raw, this.options.config.maxTokenBytes);
    const internal = this.options.config.internal;
    // Picks the verification path from the allow-list; nothing is trusted until it verifies.
    const strategy =
      internal !== undefined && token.payload.iss === internal.issuer
        ? INTERNAL_STRATEGY
        : OIDC_STRATEGY;
    (request as WithDecodedToken)[DECODED_TOKEN] = token;
    const verified = await this.runStrategy(strategy, request, reply);
    // The claims are those just verified: same string, same payload.
    const principal =
      this.tokenCache === undefined ? verified : this.tokenCache.add(raw, verified, token.payload);
    if (this.revocations !== undefined) {
      const facts = factsOf(raw, principal, token.payload);
      this.facts.set(principal, facts);
      if (this.revocations.isRevoked(facts)) throw new TokenRevokedError();
    }
    return principal;
  }

  /**
   * For the answer of a request admitted earlier: the typed refusal when its bearer token has been
   * revoked since (a long request outliving a revocation), with its challenge set on the reply.
   * API keys are checked at admission only.
   */
  revokedSinceAdmission(principal: Principal, reply: FastifyReply): TokenRevokedError | undefined {
    if (this.revocations === undefined) return undefined;
    const facts = this.facts.get(principal);
    if (facts === undefined || !this.revocations.isRevoked(facts)) return undefined;
    return this.refuse(new TokenRevokedError(), reply, false) as TokenRevokedError;
  }

  private runStrategy(
    name: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<Principal> {
    return new Promise<Principal>((resolve, reject) => {
      const middleware = this.authenticator.authenticate(
        name,
        { session: false },
        (error: unknown, user: Principal | false, info: unknown) => {
          if (error) reject(error);
          else if (user === false || user === undefined) reject(info);
          else resolve(user);
        },
      ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
      middleware(request, reply, (error) => reject(error));
    });
  }

  private async apiKeyPrincipal(value: string | string[]): Promise<Principal> {
    if (typeof value !== 'string' || !API_KEY_FORMAT.test(value)) {
      throw new InvalidCredentialsError('Invalid API key', 'api_key');
    }
    const hash = hashApiKey(value);
    let record;
    try {
      record = await this.apiKeys.find(hash);
    } catch (error) {
      this.logger.warn(`API key store unavailable: ${(error as Error).message}`);
      throw new AuthProviderUnavailableError(1);
    }
    if (
      record === undefined ||
      !timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex'))
    ) {
      throw new InvalidCredentialsError('Invalid API key', 'api_key');
    }
    const created = Date.parse(record.createdAt);
    const createdAt = Number.isNaN(created) ? undefined : created;
    if (this.revocations?.isClientRevoked(record.client, createdAt) === true) {
      throw new TokenRevokedError();
    }
    return {
      subject: record.client,
      kind: 'api-key',
      roles: record.roles,
      scopes: record.scopes,
      tier: record.tier,
      clientName: record.client,
    };
  }

  private authorize(principal: Principal, needs: Requirements): void {
    if (needs.roles.length > 0 && !needs.roles.some((r) => principal.roles.includes(r))) {
      throw new InsufficientScopeError(`Requires one of the roles: ${needs.roles.join(', ')}`);
    }
    const missing = needs.scopes.filter((s) => !principal.scopes.includes(s));
    if (missing.length > 0) {
      throw new InsufficientScopeError(
        `Requires the scopes: ${needs.scopes.join(' ')}`,
        needs.scopes,
      );
    }
  }

  /** Decorators are read once per handler; the routing lib's per-route settings win. */
  private requirementsOf(context: ExecutionContext, request: FastifyRequest): Requirements {
    const handler = context.getHandler();
    let base = this.requirements.get(handler);
    if (base === undefined) {
      const declared = declaredAuthorization(this.reflector, handler, context.getClass());
      base = {
        mode: declared.mode,
        roles: declared.roles ?? (declared.mode === 'required' ? this.options.defaultRoles : []),
        scopes: declared.scopes,
      };
      this.requirements.set(handler, base);
    }
    const route = request.bffContext?.route;
    if (route === undefined) return base;
    return {
      mode:
        route.auth === undefined ? base.mode : route.auth === 'public' ? 'optional' : 'required',
      roles: route.roles ?? base.roles,
      scopes: route.scopes ?? base.scopes,
    };
  }

  /** Turns any failure into a typed error with its RFC 6750 challenge. */
  private refuse(error: unknown, reply: FastifyReply, apiKeyUsed: boolean): unknown {
    const typed = toAuthError(error, this.logger);
    if (!(typed instanceof AuthError)) return typed;
    authMetrics().rejections.inc({ reason: typed.reason });
    if (typed.status === 401 || typed.status === 403 || typed.status === 400) {
      reply.header('www-authenticate', this.challenge(typed, apiKeyUsed));
    }
    return typed;
  }

  private challenge(error: AuthError, apiKeyUsed: boolean): string {
    const parts = [`realm="${this.options.realm}"`];
    if (error.challenge !== undefined) {
      parts.push(
        `error="${error.challenge}"`,
        `error_description="${error.message.replace(/["\\]/g, '')}"`,
      );
    }
    if (error instanceof InsufficientScopeError && error.requiredScopes.length > 0) {
      parts.push(`scope="${error.requiredScopes.join(' ')}"`);
    }
    return `${apiKeyUsed ? 'ApiKey' : 'Bearer'} ${parts.join(', ')}`;
  }
}

const JWT_ERRORS: readonly [RegExp, string, string][] = [
  [/signature/, 'The access token signature is invalid', 'signature'],
  [/audience/, 'The access token is not meant for this API', 'audience'],
  [/issuer/, 'Untrusted token issuer', 'issuer'],
  [/algorithm|asymmetric|symmetric/, 'Token algorithm not accepted for this issuer', 'bad_alg'],
];

/** jsonwebtoken and passport failures become {@link InvalidCredentialsError}s; typed errors pass. */
export function toAuthError(error: unknown, logger?: Logger): unknown {
  if (isBffError(error)) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'TokenExpiredError')
    return new InvalidCredentialsError('The access token expired', 'expired');
  if (name === 'NotBeforeError') {
    return new InvalidCredentialsError('The access token is not valid yet', 'not_yet_valid');
  }
  if (name === 'JsonWebTokenError') {
    for (const [pattern, text, reason] of JWT_ERRORS) {
      if (pattern.test(message)) return new InvalidCredentialsError(text, reason);
    }
    return new InvalidCredentialsError('The access token is invalid', 'malformed');
  }
  // Anything else still refuses the token; the log tells what happened.
  logger?.warn(`token refused: ${message}`);
  return new InvalidCredentialsError('The access token is invalid', 'invalid');
}
