import { Controller, Get, Query } from '@nestjs/common';
import { Roles, Scopes } from '@app/auth';
import { ResponseShape } from '@app/shaping';
import { UserListDto, UserSearchQueryDto } from './users.dto';
import { UsersService } from './users.service';
import { ApiOkResponse } from '@nestjs/swagger';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Roles('admin', 'support')
  @Scopes('users:read')
  @ApiOkResponse({ type: UserListDto })
  @ResponseShape(UserListDto)
  search(@Query() query: UserSearchQueryDto) {
    return this.users.search(query);
  }
}
