import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ShapingInterceptor } from './shaping.interceptor';

/** Registers {@link ShapingInterceptor} for the importing application. */
@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: ShapingInterceptor }] })
export class ShapingModule {}
