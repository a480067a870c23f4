import { DynamicModule, Global, Inject, Module, ModuleMetadata } from '@nestjs/common';
import { EnvSource, loadConfig } from './config.loader';
import { BffConfig } from './config.types';

export interface ConfigModuleOptions {
  /** A ready, validated config (tests build one with `loadConfig({...})`). Wins over `env`. */
  config?: BffConfig;
  /** Environment to read; defaults to the process environment. */
  env?: EnvSource;
}

export interface ConfigModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => BffConfig | Promise<BffConfig>;
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
}

/** Provides the validated {@link BffConfig} to the whole application. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(options: ConfigModuleOptions = {}): DynamicModule {
    const config = options.config ?? loadConfig(options.env);
    return {
      module: ConfigModule,
      providers: [{ provide: BffConfig, useValue: config }],
      exports: [BffConfig],
    };
  }

  static forRootAsync(options: ConfigModuleAsyncOptions): DynamicModule {
    return {
      module: ConfigModule,
      imports: options.imports ?? [],
      providers: [
        { provide: BffConfig, useFactory: options.useFactory, inject: options.inject ?? [] },
      ],
      exports: [BffConfig],
    };
  }
}

/** Injects the validated {@link BffConfig}. */
export const InjectConfig = (): ParameterDecorator => Inject(BffConfig);
