import type { FastifyInstance } from 'fastify';
import {
  ID_LIST_SCHEMA,
  ID_SCHEMA,
  PAGE_QUERY_PROPERTIES,
  PageQuery,
  badRequest,
  notFound,
  paginate,
  parseIdList,
} from '../http.util';
import { ORDER_STATUSES, OrderStatus, SeedData } from '../seed.types';
import { OrderEventLog, registerOrderEventsRoute } from './orders.events';
import { OrdersStore } from './orders.store';

interface OrderListQuery extends PageQuery {
  status?: OrderStatus;
  userId?: string;
}

const ID_PARAMS = { type: 'object', properties: { id: ID_SCHEMA }, required: ['id'] } as const;

/** Who made a change: the `x-user-id` header when it is a sensible value, else "system". */
function actor(header: string | string[] | undefined): string {
  const value = typeof header === 'string' ? header.trim() : '';
  return value !== '' && value.length <= 100 ? value : 'system';
}

export function registerOrdersRoutes(app: FastifyInstance, data: SeedData): OrdersStore {
  const store = new OrdersStore(data.orders, new Set(data.users.map((u) => u.id)));
  // The service's event stream (SSE with ids and Last-Event-ID resume): admin-bff's live feed.
  const events = new OrderEventLog();
  registerOrderEventsRoute(app, events);

  app.get<{ Querystring: OrderListQuery }>(
    '/orders',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ...PAGE_QUERY_PROPERTIES,
            status: { type: 'string', enum: [...ORDER_STATUSES] },
            userId: ID_SCHEMA,
          },
        },
      },
    },
    async (request) => {
      const { status, userId } = request.query;
      return paginate(store.list({ status, userId }), request.query);
    },
  );

  // Registered before /orders/:id so "stats" is never read as an id.
  app.get<{ Querystring: { userIds?: string } }>(
    '/orders/stats',
    { schema: { querystring: { type: 'object', properties: { userIds: ID_LIST_SCHEMA } } } },
    async (request) => {
      const userIds = parseIdList(request.query.userIds, 'userIds');
      if (userIds === undefined || userIds.length === 0)
        throw badRequest('userIds is required (comma-separated)');
      return store.stats(userIds);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/orders/:id',
    { schema: { params: ID_PARAMS } },
    async (request) => {
      const order = store.get(request.params.id);
      if (order === undefined) throw notFound(`Order ${request.params.id} not found`);
      return order;
    },
  );

  app.patch<{ Params: { id: string }; Body: { status: string; reason?: string } }>(
    '/orders/:id/status',
    {
      schema: {
        params: ID_PARAMS,
        body: {
          type: 'object',
          required: ['status'],
          properties: {
            status: { type: 'string', maxLength: 50 },
            reason: { type: 'string', maxLength: 500 },
          },
        },
      },
    },
    async (request) => {
      const { status, reason } = request.body;
      const order = store.changeStatus(
        request.params.id,
        status,
        actor(request.headers['x-user-id']),
        reason,
      );
      events.publish('order.status_changed', order);
      return order;
    },
  );

  return store;
}
