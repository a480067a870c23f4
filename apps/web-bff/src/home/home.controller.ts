import { Controller, Get, Query } from '@nestjs/common';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { HomeDto, HomeQueryDto } from './home.dto';
import { HomeService } from './home.service';

@Controller('home')
export class HomeController {
  constructor(private readonly homes: HomeService) {}

  @Get()
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(HomeDto)
  home(@Query() query: HomeQueryDto) {
    return this.homes.home(query.userId);
  }
}
