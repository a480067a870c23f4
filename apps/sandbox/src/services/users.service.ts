import type { FastifyInstance } from 'fastify';
import {
  ID_LIST_SCHEMA,
  ID_SCHEMA,
  PAGE_QUERY_PROPERTIES,
  PageQuery,
  SEARCH_SCHEMA,
  notFound,
  JSON_CONTENT_TYPE,
  pageJson,
  toJson,
  parseIdList,
  searchTerm,
} from '../http.util';
import type { SeedData, User } from '../seed.types';

interface UserListQuery extends PageQuery {
  q?: string;
  ids?: string;
}

export function registerUsersRoutes(app: FastifyInstance, data: SeedData): void {
  const byId = new Map(data.users.map((u) => [u.id, u]));
  // Lowercased once so search is a plain substring scan.
  const haystacks = new Map<User, string>(
    data.users.map((u) => [
      u,
      `${u.firstName} ${u.lastName}\n${u.displayName}\n${u.email}`.toLowerCase(),
    ]),
  );

  app.get<{ Querystring: UserListQuery }>(
    '/users',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { ...PAGE_QUERY_PROPERTIES, q: SEARCH_SCHEMA, ids: ID_LIST_SCHEMA },
        },
      },
    },
    async (request, reply) => {
      const { q, ids } = request.query;
      const wanted = parseIdList(ids, 'ids');
      const term = searchTerm(q);
      let users: readonly User[] = data.users;
      if (wanted !== undefined) {
        const set = new Set(wanted);
        users = users.filter((u) => set.has(u.id));
      }
      if (term !== undefined) users = users.filter((u) => haystacks.get(u)?.includes(term));
      return reply.type(JSON_CONTENT_TYPE).send(pageJson(users, request.query));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/users/:id',
    { schema: { params: { type: 'object', properties: { id: ID_SCHEMA }, required: ['id'] } } },
    async (request, reply) => {
      const user = byId.get(request.params.id);
      if (user === undefined) throw notFound(`User ${request.params.id} not found`);
      return reply.type(JSON_CONTENT_TYPE).send(toJson(user));
    },
  );
}
