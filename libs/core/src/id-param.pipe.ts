import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Rejects ids that are not plain tokens before they reach a downstream path. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !ID.test(value)) {
      throw new BadRequestException('Invalid id: expected 1-64 letters, digits, "_" or "-"');
    }
    return value;
  }
}
