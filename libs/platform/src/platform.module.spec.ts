import { CachePurgeController } from '@app/cache';
import { loadConfig } from '@app/config';
import type { DynamicModule, Type } from '@nestjs/common';
import { BffPlatformModule } from './platform.module';

const config = loadConfig({});
const names = (module: DynamicModule): string[] =>
  (module.imports ?? []).map((m) => ('module' in m ? m.module.name : (m as Type).name));

describe('BffPlatformModule', () => {
  it('imports the platform modules in their one order (a reordering shows here)', () => {
    const web = BffPlatformModule.forRoot({ app: 'web-bff', config, session: true });
    expect(names(web)).toEqual([
      'ConfigModule',
      'CoreModule',
      'ObservabilityModule',
      'AuthModule',
      'SessionModule',
      'BffCacheModule',
      'DownstreamModule',
      'DownstreamClientsModule',
      'ShapingModule',
      'ThrottlingModule',
      'RoutingModule',
      'EventsModule',
    ]);
    // Re-exported to the app module, whose controllers use them.
    expect(web.exports).toEqual(web.imports);
  });

  it('leaves sessions and the purge endpoint off unless asked', () => {
    const mobile = BffPlatformModule.forRoot({ app: 'mobile-bff', config });
    expect(names(mobile)).not.toContain('SessionModule');
    const cacheOf = (m: DynamicModule) =>
      (m.imports ?? []).find((i) => 'module' in i && i.module.name === 'BffCacheModule') as
        DynamicModule | undefined;
    expect(cacheOf(mobile)?.controllers).toEqual([]);
    const admin = BffPlatformModule.forRoot({
      app: 'admin-bff',
      config,
      auth: { defaultRoles: ['admin'], audit: true },
      cachePurgeEndpoint: true,
    });
    expect(cacheOf(admin)?.controllers).toEqual([CachePurgeController]);
    expect(names(admin)).not.toContain('SessionModule');
  });

  it('turns sessions on with the settings an app passes (admin-bff: the admin panel)', () => {
    const admin = BffPlatformModule.forRoot({
      app: 'admin-bff',
      config,
      session: config.adminSession,
    });
    expect(names(admin)).toContain('SessionModule');
  });
});
