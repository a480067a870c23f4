import { Injectable } from '@nestjs/common';
import type { Page, User } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';
import { BATCH_PAGE_SIZE, type CallOptions } from './client.types';

const SERVICE = 'users';

/** Search and paging of `GET /users`; absent fields are not sent. */
export interface UserQuery {
  ids?: readonly string[];
  q?: string;
  page?: number;
  pageSize?: number;
}

/** The users service. */
@Injectable()
export class UsersClient {
  constructor(private readonly downstream: DownstreamClient) {}

  /** One user. */
  byId(id: string, options: CallOptions = {}): Promise<User> {
    return this.downstream.get<User>(SERVICE, dpath`/users/${id}`, options);
  }

  /** A page of users matching `query`. */
  page(query: UserQuery, options: CallOptions = {}): Promise<Page<User>> {
    return this.downstream.get<Page<User>>(SERVICE, '/users', {
      ...options,
      query: { ids: query.ids, q: query.q, page: query.page, pageSize: query.pageSize },
    });
  }

  /** The users with these ids (at most one page of them); no call for none. */
  async byIds(ids: readonly string[], options: CallOptions = {}): Promise<User[]> {
    if (ids.length === 0) return [];
    return (await this.page({ ids, pageSize: BATCH_PAGE_SIZE }, options)).items;
  }
}
