import { BffConfig, type SessionConfig } from '@app/config';
import { BFF_APP_SETUP, type BffAppSetup } from '@app/core';
import { RevocationStore } from '@app/auth';
import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OidcClient } from './oidc.client';
import { RedisSessionStore } from './redis-session.store';
import { installSession } from './session.http';
import { SessionService } from './session.service';
import { MemorySessionStore, type SessionStore } from './session.store';

export interface SessionModuleOptions {
  /** Session settings; default the `session` section of the app's {@link BffConfig}. */
  config?: SessionConfig;
  /** A store of your own; default memory or Redis as `config.store` says. */
  store?: SessionStore;
}

export const SESSION_STORE = Symbol('bff.sessionStore');
/** Pending logins: the session store itself, except in memory where they get their own bound. */
const LOGIN_STORE = Symbol('bff.loginStore');
export const SESSION_CONFIG = Symbol('bff.sessionConfig');

/**
 * The app's revocation store (the auth module's, a sibling of this one), looked up on first use
 * once every provider exists; undefined when the app has no auth module.
 */
function revocationsOf(moduleRef: ModuleRef): () => RevocationStore | undefined {
  let store: RevocationStore | null | undefined;
  return () => {
    if (store === undefined) {
      try {
        store = moduleRef.get(RevocationStore, { strict: false });
      } catch {
        store = null;
      }
    }
    return store ?? undefined;
  };
}

/**
 * Browser sessions for an SPA (the BFF pattern): `/auth/login|callback|logout|user`, an httpOnly
 * session cookie, tokens kept server-side and put in `Authorization` for cookie-authenticated
 * calls that carry `X-CSRF: 1`. Installed through core's app-setup seam, before any guard runs.
 */
@Module({})
export class SessionModule implements OnApplicationShutdown {
  constructor(@Inject(SESSION_STORE) private readonly store: SessionStore) {}

  static forRoot(options: SessionModuleOptions = {}): DynamicModule {
    return {
      module: SessionModule,
      providers: [
        {
          provide: SESSION_CONFIG,
          useFactory: (config: BffConfig) => options.config ?? config.session,
          inject: [BffConfig],
        },
        {
          provide: SESSION_STORE,
          useFactory: (session: SessionConfig, config: BffConfig): SessionStore => {
            if (options.store !== undefined) return options.store;
            const { url, commandTimeoutMs } = config.redis;
            if (session.store === 'redis' && url !== undefined) {
              return new RedisSessionStore({ url, commandTimeoutMs }, session.storePrefix);
            }
            return new MemorySessionStore(session.memoryMaxEntries);
          },
          inject: [SESSION_CONFIG, BffConfig],
        },
        {
          provide: LOGIN_STORE,
          useFactory: (session: SessionConfig, store: SessionStore): SessionStore =>
            store instanceof MemorySessionStore
              ? new MemorySessionStore(session.memoryMaxEntries)
              : store,
          inject: [SESSION_CONFIG, SESSION_STORE],
        },
        {
          provide: OidcClient,
          useFactory: (session: SessionConfig) => new OidcClient(session),
          inject: [SESSION_CONFIG],
        },
        {
          provide: SessionService,
          useFactory: (
            session: SessionConfig,
            oidc: OidcClient,
            store: SessionStore,
            logins: SessionStore,
            moduleRef: ModuleRef,
          ) => new SessionService(session, oidc, store, logins, Date.now, revocationsOf(moduleRef)),
          inject: [SESSION_CONFIG, OidcClient, SESSION_STORE, LOGIN_STORE, ModuleRef],
        },
        {
          provide: BFF_APP_SETUP,
          useFactory: (service: SessionService): BffAppSetup => ({
            setup(app: NestFastifyApplication) {
              if (service.config.enabled)
                installSession(app.getHttpAdapter().getInstance(), service);
            },
          }),
          inject: [SessionService],
        },
      ],
      exports: [SessionService, SESSION_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
