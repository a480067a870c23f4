import { ClassConstructor, plainToInstance } from 'class-transformer';

/**
 * Shapes plain data into a client DTO: only `@Expose()`d fields survive, nested DTOs follow `@Type()`.
 * Use on BFF endpoints; keep it off pass-through routes (class-transformer is slow on large payloads).
 */
export function shape<T extends object>(dto: ClassConstructor<T>, plain: unknown): T {
  // One pass: the instance holds only exposed fields and serialises as is (a second
  // instanceToPlain pass would re-run @Transform on already shaped values).
  return plainToInstance(dto, plain, { excludeExtraneousValues: true, exposeUnsetFields: false });
}
