import * as grpc from '@grpc/grpc-js';
import { type GrpcServiceDefinition, grpcError } from '../grpc.host';
import type { Review, SeedData } from '../seed.types';
import { summarize } from './reviews.service';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** bff.reviews.v1.ReviewsService over the seeded reviews (the same summaries as over HTTP). */
export function reviewsGrpcService(data: SeedData): GrpcServiceDefinition {
  const byProduct = new Map<string, Review[]>(data.products.map((p) => [p.id, []]));
  for (const r of data.reviews) byProduct.get(r.productId)?.push(r);
  return {
    proto: 'bff/reviews/v1/reviews.proto',
    name: 'bff.reviews.v1.ReviewsService',
    handlers: {
      GetReviewSummary: (call, callback) => {
        const { productId } = call.request as { productId: string };
        const fail = (code: grpc.status, details: string): void =>
          callback(grpcError(code, details));
        if (!ID.test(productId))
          return fail(grpc.status.INVALID_ARGUMENT, 'product_id is malformed');
        const reviews = byProduct.get(productId);
        if (reviews === undefined)
          return fail(grpc.status.NOT_FOUND, `Product ${productId} not found`);
        callback(null, summarize(productId, reviews));
      },
    },
  };
}
