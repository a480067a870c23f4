import type { FastifyInstance } from 'fastify';
import {
  ID_LIST_SCHEMA,
  ID_SCHEMA,
  JSON_CONTENT_TYPE,
  badRequest,
  parseIdList,
  PAGE_QUERY_PROPERTIES,
  PageQuery,
  notFound,
  pageJson,
  toJson,
} from '../http.util';
import type { Review, SeedData } from '../seed.types';

export interface ReviewSummary {
  productId: string;
  averageRating: number;
  count: number;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export function summarize(productId: string, reviews: readonly Review[]): ReviewSummary {
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let sum = 0;
  for (const r of reviews) {
    distribution[String(r.rating) as keyof typeof distribution]++;
    sum += r.rating;
  }
  const averageRating = reviews.length === 0 ? 0 : Math.round((sum / reviews.length) * 10) / 10;
  return { productId, averageRating, count: reviews.length, distribution };
}

export function registerReviewsRoutes(app: FastifyInstance, data: SeedData): void {
  const newestFirst = [...data.reviews].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
  );
  const byProduct = new Map<string, Review[]>(data.products.map((p) => [p.id, []]));
  for (const r of newestFirst) byProduct.get(r.productId)?.push(r);
  // Frozen, so their JSON is memoised like the seed's.
  const summaries = new Map(
    [...byProduct].map(([id, reviews]) => {
      const summary = summarize(id, reviews);
      Object.freeze(summary.distribution);
      return [id, Object.freeze(summary)];
    }),
  );

  app.get<{ Params: { productId: string } }>(
    '/reviews/summary/:productId',
    {
      schema: {
        params: { type: 'object', properties: { productId: ID_SCHEMA }, required: ['productId'] },
      },
    },
    async (request, reply) => {
      const summary = summaries.get(request.params.productId);
      if (summary === undefined) throw notFound(`Product ${request.params.productId} not found`);
      return reply.type(JSON_CONTENT_TYPE).send(toJson(summary));
    },
  );

  // Batch lookup (the GraphQL facade's loader): unknown ids are simply absent.
  app.get<{ Querystring: { productIds?: string } }>(
    '/reviews/summaries',
    { schema: { querystring: { type: 'object', properties: { productIds: ID_LIST_SCHEMA } } } },
    async (request, reply) => {
      const ids = parseIdList(request.query.productIds, 'productIds');
      if (ids === undefined) throw badRequest('productIds is required (comma-separated)');
      const items = ids.map((id) => summaries.get(id)).filter((s) => s !== undefined);
      return reply.type(JSON_CONTENT_TYPE).send({ items });
    },
  );

  app.get<{ Querystring: PageQuery & { productId?: string } }>(
    '/reviews',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { ...PAGE_QUERY_PROPERTIES, productId: ID_SCHEMA },
        },
      },
    },
    async (request, reply) => {
      const { productId } = request.query;
      // A filter, not a lookup: an unknown product just has no reviews.
      const reviews = productId === undefined ? newestFirst : (byProduct.get(productId) ?? []);
      return reply.type(JSON_CONTENT_TYPE).send(pageJson(reviews, request.query));
    },
  );
}
