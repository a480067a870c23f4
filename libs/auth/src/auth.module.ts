import { BffConfig } from '@app/config';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import passport from 'passport';
import { API_KEY_STORE, AUTHENTICATOR, BffAuthGuard, VERIFIED_TOKEN_CACHE } from './auth.guard';
import { AUTH_OPTIONS, type AuthModuleOptions, type ResolvedAuthOptions } from './auth.options';
import { type ApiKeyStore, createApiKeyStore } from './api-key.store';
import { AUDIT_TRAIL, AuditHook } from './audit.hook';
import { RevocationHook } from './revocation.hook';
import { AuditTrail } from './audit.trail';
import { AuditQuery } from './audit.query';
import { JwksCache } from './jwks.cache';
import {
  INTERNAL_STRATEGY,
  InternalJwtStrategy,
  OIDC_STRATEGY,
  OidcJwtStrategy,
} from './jwt.strategy';
import { RevocationStore } from './revocation.store';
import { VerifiedTokenCache } from './verified-token.cache';

const JWKS_CACHE = Symbol('bff.jwksCache');

/** Starts and stops what the auth providers hold (JWKS warm-up, API key store). */
@Injectable()
class AuthLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(JWKS_CACHE) private readonly jwks: JwksCache,
    @Inject(API_KEY_STORE) private readonly apiKeys: ApiKeyStore,
    @Inject(RevocationStore) private readonly revocations: RevocationStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.jwks.warmUp();
    await Promise.all([this.apiKeys.start(), this.revocations.start()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.apiKeys.close(), this.revocations.close()]);
  }
}

/**
 * Authentication and authorization of one BFF: a global guard over bearer JWTs (OIDC issuers via
 * JWKS, internal HS256), API keys, `@Public()`/`@Roles()`/`@Scopes()`, and for the admin BFF the
 * audit trail of mutating requests. Import once in the app module:
 * `AuthModule.forRoot({ audience: config.auth.audiences['web-bff'] })`.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const resolve = (config: BffConfig): ResolvedAuthOptions => ({
      audience: options.audience,
      realm: options.realm ?? options.audience,
      defaultRoles: options.defaultRoles ?? [],
      audit: options.audit ?? false,
      config: options.config ?? config.auth,
    });
    const providers: DynamicModule['providers'] = [
      { provide: AUTH_OPTIONS, useFactory: resolve, inject: [BffConfig] },
      {
        provide: JWKS_CACHE,
        useFactory: (o: ResolvedAuthOptions) =>
          new JwksCache(o.config.oidcIssuers, {
            cooldownMs: o.config.jwksCooldownMs,
            maxAgeMs: o.config.jwksMaxAgeMs,
            timeoutMs: o.config.jwksTimeoutMs,
          }),
        inject: [AUTH_OPTIONS],
      },
      {
        // The app's own passport Authenticator, so apps sharing a process keep their settings apart.
        provide: AUTHENTICATOR,
        useFactory: (o: ResolvedAuthOptions, jwks: JwksCache) => {
          const authenticator = new passport.Authenticator();
          const settings = { audience: o.audience, auth: o.config };
          authenticator.use(OIDC_STRATEGY, new OidcJwtStrategy(jwks, settings));
          if (o.config.internal !== undefined) {
            authenticator.use(
              INTERNAL_STRATEGY,
              new InternalJwtStrategy({ ...settings, ...o.config.internal }),
            );
          }
          return authenticator;
        },
        inject: [AUTH_OPTIONS, JWKS_CACHE],
      },
      {
        provide: API_KEY_STORE,
        useFactory: (o: ResolvedAuthOptions, config: BffConfig) =>
          createApiKeyStore(o.config.apiKeys, config.redis),
        inject: [AUTH_OPTIONS, BffConfig],
      },
      {
        // One per module, hence per audience: a token verified for one BFF is not one for another.
        provide: VERIFIED_TOKEN_CACHE,
        useFactory: (o: ResolvedAuthOptions) => new VerifiedTokenCache(o.config.tokenCache),
        inject: [AUTH_OPTIONS],
      },
      {
        // Shared through Redis by every instance (and every app) when configured.
        provide: RevocationStore,
        useFactory: (o: ResolvedAuthOptions, config: BffConfig) =>
          new RevocationStore(o.config.revocation, config.redis),
        inject: [AUTH_OPTIONS, BffConfig],
      },
      AuthLifecycle,
      BffAuthGuard,
      // The global guard of Nest routes; the routing lib's native routes call the same instance.
      { provide: APP_GUARD, useExisting: BffAuthGuard },
      // Answers of requests that outlive a revocation of their token are withheld.
      RevocationHook,
    ];
    if (options.audit === true) {
      providers.push(
        {
          provide: AUDIT_TRAIL,
          useFactory: (o: ResolvedAuthOptions, config: BffConfig) =>
            new AuditTrail(o.config.audit, config.redis),
          inject: [AUTH_OPTIONS, BffConfig],
        },
        AuditHook,
        {
          // Reads back what the trail wrote: its stream when there is one, else its file.
          provide: AuditQuery,
          useFactory: (o: ResolvedAuthOptions, trail: AuditTrail) =>
            new AuditQuery(o.config.audit, trail.streamClient()),
          inject: [AUTH_OPTIONS, AUDIT_TRAIL],
        },
      );
    }
    const exports = [
      AUTH_OPTIONS,
      RevocationStore,
      ...(options.audit === true ? [AuditQuery] : []),
    ];
    return { module: AuthModule, providers, exports };
  }
}
