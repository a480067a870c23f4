import { Injectable } from '@nestjs/common';
import type { Items, ReviewSummary } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';
import type { CallOptions } from './client.types';

const SERVICE = 'reviews';

/** The reviews service. */
@Injectable()
export class ReviewsClient {
  constructor(private readonly downstream: DownstreamClient) {}

  /** Rating summary of one product. */
  summary(productId: string, options: CallOptions = {}): Promise<ReviewSummary> {
    return this.downstream.get<ReviewSummary>(
      SERVICE,
      dpath`/reviews/summary/${productId}`,
      options,
    );
  }

  /** Rating summaries of several products in one call (unknown ids are absent). */
  summaries(
    productIds: readonly string[],
    options: CallOptions = {},
  ): Promise<Items<ReviewSummary>> {
    return this.downstream.get<Items<ReviewSummary>>(SERVICE, '/reviews/summaries', {
      ...options,
      query: { productIds },
    });
  }
}
