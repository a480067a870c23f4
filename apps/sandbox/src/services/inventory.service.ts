import type { FastifyInstance } from 'fastify';
import {
  ID_LIST_SCHEMA,
  ID_SCHEMA,
  JSON_CONTENT_TYPE,
  badRequest,
  itemsJson,
  notFound,
  parseIdList,
  toJson,
} from '../http.util';
import type { InventoryRecord, SeedData } from '../seed.types';

export function registerInventoryRoutes(app: FastifyInstance, data: SeedData): void {
  const byProduct = new Map(data.inventory.map((i) => [i.productId, i]));

  app.get<{ Querystring: { productIds?: string } }>(
    '/inventory',
    { schema: { querystring: { type: 'object', properties: { productIds: ID_LIST_SCHEMA } } } },
    async (request, reply) => {
      const ids = parseIdList(request.query.productIds, 'productIds');
      if (ids === undefined) throw badRequest('productIds is required (comma-separated)');
      // Unknown ids are simply absent, so callers can batch without pre-checking.
      const items = ids
        .map((id) => byProduct.get(id))
        .filter((i): i is InventoryRecord => i !== undefined);
      return reply.type(JSON_CONTENT_TYPE).send(itemsJson(items));
    },
  );

  app.get<{ Params: { productId: string } }>(
    '/inventory/:productId',
    {
      schema: {
        params: { type: 'object', properties: { productId: ID_SCHEMA }, required: ['productId'] },
      },
    },
    async (request, reply) => {
      const record = byProduct.get(request.params.productId);
      if (record === undefined)
        throw notFound(`No inventory for product ${request.params.productId}`);
      return reply.type(JSON_CONTENT_TYPE).send(toJson(record));
    },
  );
}
