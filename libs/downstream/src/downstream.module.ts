import { DynamicModule, Global, Module, ModuleMetadata } from '@nestjs/common';
import { DownstreamClient } from './downstream.client';
import { DOWNSTREAM_OPTIONS, type DownstreamModuleOptions } from './downstream.options';

export interface DownstreamModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => DownstreamModuleOptions | Promise<DownstreamModuleOptions>;
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
}

/** Provides {@link DownstreamClient} for the services of the config's registry. */
@Global()
@Module({})
export class DownstreamModule {
  static forRoot(options: DownstreamModuleOptions = {}): DynamicModule {
    return {
      module: DownstreamModule,
      providers: [{ provide: DOWNSTREAM_OPTIONS, useValue: options }, DownstreamClient],
      exports: [DownstreamClient],
    };
  }

  static forRootAsync(options: DownstreamModuleAsyncOptions): DynamicModule {
    return {
      module: DownstreamModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: DOWNSTREAM_OPTIONS,
          useFactory: options.useFactory,
          inject: options.inject ?? [],
        },
        DownstreamClient,
      ],
      exports: [DownstreamClient],
    };
  }
}
