import { SetMetadata } from '@nestjs/common';

export const DEADLINE_METADATA = 'bff:deadline-ms';

/** Time budget of an endpoint in milliseconds; every downstream call gets what is left of it. */
export const Deadline = (ms: number): MethodDecorator & ClassDecorator =>
  SetMetadata(DEADLINE_METADATA, ms);
