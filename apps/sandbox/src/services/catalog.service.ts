import type { FastifyInstance } from 'fastify';
import {
  ID_LIST_SCHEMA,
  ID_SCHEMA,
  PAGE_QUERY_PROPERTIES,
  PageQuery,
  SEARCH_SCHEMA,
  notFound,
  JSON_CONTENT_TYPE,
  itemsJson,
  pageJson,
  toJson,
  parseIdList,
  searchTerm,
} from '../http.util';
import type { Product, SeedData } from '../seed.types';

interface ProductListQuery extends PageQuery {
  category?: string;
  featured?: boolean;
  ids?: string;
  q?: string;
}

export const MAX_RELATED = 20;

export function registerCatalogRoutes(app: FastifyInstance, data: SeedData): void {
  const byId = new Map(data.products.map((p) => [p.id, p]));
  const haystacks = new Map<Product, string>(
    data.products.map((p) => [
      p,
      `${p.name}\n${p.brand}\n${p.sku}\n${p.tags.join(' ')}`.toLowerCase(),
    ]),
  );
  const byCategory = new Map<string, Product[]>(data.categories.map((c) => [c.id, []]));
  for (const p of data.products) byCategory.get(p.category)?.push(p);
  // Related = same category, closest in price first; ranked once so the route is a slice.
  const related = new Map<string, Product[]>(
    data.products.map((p) => [
      p.id,
      (byCategory.get(p.category) ?? [])
        .filter((other) => other.id !== p.id)
        .sort(
          (a, b) =>
            Math.abs(a.price.amount - p.price.amount) - Math.abs(b.price.amount - p.price.amount) ||
            a.id.localeCompare(b.id),
        )
        .slice(0, MAX_RELATED),
    ]),
  );
  const categories = itemsJson(data.categories);

  app.get<{ Querystring: ProductListQuery }>(
    '/products',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ...PAGE_QUERY_PROPERTIES,
            category: { type: 'string', enum: data.categories.map((c) => c.id) },
            featured: { type: 'boolean' },
            ids: ID_LIST_SCHEMA,
            q: SEARCH_SCHEMA,
          },
        },
      },
    },
    async (request, reply) => {
      const { category, featured, ids, q } = request.query;
      const wanted = parseIdList(ids, 'ids');
      const term = searchTerm(q);
      let products: readonly Product[] =
        category === undefined ? data.products : (byCategory.get(category) ?? []);
      if (wanted !== undefined) {
        const set = new Set(wanted);
        products = products.filter((p) => set.has(p.id));
      }
      if (featured !== undefined) products = products.filter((p) => p.featured === featured);
      if (term !== undefined) products = products.filter((p) => haystacks.get(p)?.includes(term));
      return reply.type(JSON_CONTENT_TYPE).send(pageJson(products, request.query));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/products/:id',
    { schema: { params: { type: 'object', properties: { id: ID_SCHEMA }, required: ['id'] } } },
    async (request, reply) => {
      const product = byId.get(request.params.id);
      if (product === undefined) throw notFound(`Product ${request.params.id} not found`);
      return reply.type(JSON_CONTENT_TYPE).send(toJson(product));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/products/:id/related',
    {
      schema: {
        params: { type: 'object', properties: { id: ID_SCHEMA }, required: ['id'] },
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_RELATED, default: 4 } },
        },
      },
    },
    async (request, reply) => {
      const items = related.get(request.params.id);
      if (items === undefined) throw notFound(`Product ${request.params.id} not found`);
      return reply.type(JSON_CONTENT_TYPE).send(itemsJson(items.slice(0, request.query.limit)));
    },
  );

  app.get('/categories', async (_request, reply) => reply.type(JSON_CONTENT_TYPE).send(categories));
}
