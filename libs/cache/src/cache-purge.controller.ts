import {
  BadRequestException,
  Body,
  Controller,
  Header,
  HttpCode,
  Post,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { TieredCache, type PurgeResult } from './tiered.cache';

const PRINTABLE = /^[\x21-\x7e]+$/;

/** `POST /ops/cache/purge` body: exactly one of `prefix` or `tag`. */
export class PurgeCacheDto {
  /** Key prefix, e.g. `r:web-bff:/products/` (responses) or `d:catalog:/products/` (downstream). */
  @IsOptional()
  @IsString()
  @Length(2, 512)
  @Matches(PRINTABLE, { message: 'prefix must be printable ASCII without spaces' })
  prefix?: string;

  /** Tag, e.g. `product:prd_0001` or `order:ord_00001`. */
  @IsOptional()
  @IsString()
  @Length(1, 256)
  @Matches(PRINTABLE, { message: 'tag must be printable ASCII without spaces' })
  tag?: string;
}

/** Invalidation for operators (mounted by the admin BFF; its auth guards protect it). */
@Controller({ path: 'ops/cache', version: VERSION_NEUTRAL })
export class CachePurgeController {
  constructor(private readonly cache: TieredCache) {}

  @Post('purge')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  purge(@Body() body: PurgeCacheDto): Promise<PurgeResult> {
    if ((body.prefix === undefined) === (body.tag === undefined)) {
      throw new BadRequestException('Give exactly one of "prefix" or "tag"');
    }
    return this.cache.purge({ prefix: body.prefix, tag: body.tag });
  }
}
