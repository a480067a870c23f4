import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ClassConstructor } from 'class-transformer';
import { Observable, map } from 'rxjs';
import { RESPONSE_SHAPE_METADATA } from './response-shape.decorator';
import { shape } from './shaping';

/** Applies `@ResponseShape(Dto)` to what a handler returns; handlers without it are untouched. */
@Injectable()
export class ShapingInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const dto = this.reflector.get<ClassConstructor<object> | undefined>(
      RESPONSE_SHAPE_METADATA,
      context.getHandler(),
    );
    if (dto === undefined) return next.handle();
    return next.handle().pipe(map((body: unknown) => shape(dto, body)));
  }
}
