import { DynamicModule, Global, Module } from '@nestjs/common';
import { DownstreamClient } from './downstream.client';
import { ConfigurableDownstreamModule, type DownstreamModuleOptions } from './downstream.options';

/** Provides {@link DownstreamClient} for the services of the config's registry. */
@Global()
@Module({ providers: [DownstreamClient], exports: [DownstreamClient] })
export class DownstreamModule extends ConfigurableDownstreamModule {
  static override forRoot(options: DownstreamModuleOptions = {}): DynamicModule {
    return super.forRoot(options);
  }
}
