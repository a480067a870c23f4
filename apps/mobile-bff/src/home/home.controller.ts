import { Controller, Get, Query } from '@nestjs/common';
import { CurrentPrincipal, userIdOf } from '@app/auth';
import { CacheResponse } from '@app/cache';
import { type Principal, Public } from '@app/core';
import { DeprecatedEndpoint, ResponseShape, SparseFields } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { HomeDto, HomeQueryDto } from './home.dto';
import { HomeService } from './home.service';
import { ApiOkResponse } from '@nestjs/swagger';
import { HomeV2Dto, HomeV2QueryDto } from './home.v2.dto';

@Controller('home')
export class HomeController {
  constructor(private readonly homes: HomeService) {}

  @Get()
  // Anonymous visitors get the generic screen; a signed-in user (verified token) also a greeting.
  @Public({ optionalAuth: true })
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  // Per user when one is signed in (one shared entry for anonymous callers).
  @CacheResponse({ ttl: 15, swr: 15, sie: 120, scope: 'user', query: [] })
  @ApiOkResponse({ type: HomeDto })
  @ResponseShape(HomeDto)
  // v2 replaces it, on the same schedule as the v1 product.
  @DeprecatedEndpoint({ since: '2026-12-01', sunset: '2027-06-30', link: '/docs' })
  home(@Query() _query: HomeQueryDto, @CurrentPrincipal() principal: Principal | undefined) {
    return this.homes.home(userIdOf(principal));
  }
}

@Controller({ path: 'home', version: '2' })
export class HomeV2Controller {
  constructor(private readonly homes: HomeService) {}

  @Get()
  @Public({ optionalAuth: true })
  @RateLimit({ weight: 2 })
  // Per user, as v1; `fields` is part of the key since it changes the body.
  @CacheResponse({ ttl: 15, swr: 15, sie: 120, scope: 'user', query: ['fields'] })
  @ApiOkResponse({ type: HomeV2Dto })
  @SparseFields(HomeV2Dto)
  home(@Query() _query: HomeV2QueryDto, @CurrentPrincipal() principal: Principal | undefined) {
    return this.homes.homeV2(userIdOf(principal));
  }
}
