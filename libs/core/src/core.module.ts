import { Global, Module } from '@nestjs/common';
import { BffLifecycle } from './bff-lifecycle';
import { RequestContextInterceptor } from './request-context.interceptor';

/** Shared plumbing of every BFF: request context, deadline enforcement, lifecycle (draining). */
@Global()
@Module({
  providers: [RequestContextInterceptor, BffLifecycle],
  exports: [RequestContextInterceptor, BffLifecycle],
})
export class CoreModule {}
