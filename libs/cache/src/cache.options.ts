import type { CacheConfig } from '@app/config';

/** Options of {@link BffCacheModule}. */
export interface BffCacheModuleOptions {
  /** Name of the application; part of every response key (`r:<app>:...`). */
  app: string;
  /** Cache settings; defaults to the `cache` section of the injected `BffConfig`. */
  config?: CacheConfig;
  /** Serve `POST /ops/cache/purge` from this app (the admin BFF). Default false. */
  purgeEndpoint?: boolean;
}

export const BFF_CACHE_OPTIONS = Symbol('BffCacheModuleOptions');
