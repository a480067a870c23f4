import { Controller, Get, Query } from '@nestjs/common';
import { CurrentPrincipal, userIdOf } from '@app/auth';
import { CacheResponse } from '@app/cache';
import { type Principal, Public } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { HomeDto, HomeQueryDto } from './home.dto';
import { HomeService } from './home.service';
import { ApiOkResponse } from '@nestjs/swagger';

@Controller('home')
export class HomeController {
  constructor(private readonly homes: HomeService) {}

  @Get()
  // Anonymous visitors get the generic page; a signed-in user (verified token) also their summary.
  @Public({ optionalAuth: true })
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  // Per user when one is signed in (one shared entry for anonymous callers).
  @CacheResponse({ ttl: 15, swr: 15, sie: 120, scope: 'user', query: [] })
  @ApiOkResponse({ type: HomeDto })
  @ResponseShape(HomeDto)
  home(@Query() _query: HomeQueryDto, @CurrentPrincipal() principal: Principal | undefined) {
    return this.homes.home(userIdOf(principal));
  }
}
