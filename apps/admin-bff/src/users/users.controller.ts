import { Controller, Get, Query } from '@nestjs/common';
import { ResponseShape } from '@app/shaping';
import { UserListDto, UserSearchQueryDto } from './users.dto';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ResponseShape(UserListDto)
  search(@Query() query: UserSearchQueryDto) {
    return this.users.search(query);
  }
}
