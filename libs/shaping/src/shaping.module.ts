import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ShapingInterceptor } from './shaping.interceptor';
import { SparseFieldsInterceptor } from './sparse-fields';

/**
 * Registers {@link ShapingInterceptor} for the importing application, and provides the
 * interceptor `@SparseFields` endpoints use.
 */
@Module({
  providers: [{ provide: APP_INTERCEPTOR, useClass: ShapingInterceptor }, SparseFieldsInterceptor],
  exports: [SparseFieldsInterceptor],
})
export class ShapingModule {}
