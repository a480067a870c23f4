import { Injectable } from '@nestjs/common';
import type { ReviewSummary } from '@app/contracts';
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
}
