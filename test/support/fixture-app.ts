import { type BffConfig, ConfigModule } from '@app/config';
import { CoreModule, createBffApp, listen } from '@app/core';
import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppFactory } from './stack';

/**
 * What a fixture app adds to the config and core libs every BFF has: the libs under test
 * (`imports`), its test controllers and providers (guards standing in for other libs).
 */
export type FixtureParts = Pick<ModuleMetadata, 'imports' | 'controllers' | 'providers'>;

/** One module class for every fixture app: each app has its own container, so they never meet. */
@Module({})
class FixtureModule {}

/** The root module of a fixture app: ConfigModule and CoreModule, then `parts`. */
export function fixtureModule(config: BffConfig, parts: FixtureParts): DynamicModule {
  return {
    module: FixtureModule,
    imports: [ConfigModule.forRoot({ config }), CoreModule, ...(parts.imports ?? [])],
    controllers: parts.controllers ?? [],
    providers: parts.providers ?? [],
  };
}

/** A fixture app built the way the BFFs are (`createBffApp`), not yet listening. */
export function createFixtureApp(
  config: BffConfig,
  parts: FixtureParts,
): Promise<NestFastifyApplication> {
  return createBffApp(fixtureModule(config, parts), { config });
}

/**
 * The fixture app as an {@link AppFactory}, for `startApp` (sandbox environment). `parts` runs
 * per app: a module's `forRoot` may hold state (a store) that two apps must not share.
 */
export const fixtureApp =
  (parts: () => FixtureParts): AppFactory =>
  (config) =>
    createFixtureApp(config, parts());

export interface RunningFixture {
  app: NestFastifyApplication;
  url: string;
}

/** Boots a fixture app on an ephemeral loopback port. */
export async function startFixtureApp(
  config: BffConfig,
  parts: FixtureParts,
): Promise<RunningFixture> {
  const app = await createFixtureApp(config, parts);
  return { app, url: await listen(app, 0, '127.0.0.1') };
}
