import { SetMetadata } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';

export const RESPONSE_SHAPE_METADATA = 'bff:response-shape';

/** The DTO a handler's return value is shaped into by {@link ShapingInterceptor}. */
export const ResponseShape = (dto: ClassConstructor<object>): MethodDecorator =>
  SetMetadata(RESPONSE_SHAPE_METADATA, dto);
