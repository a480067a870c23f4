import { Module } from '@nestjs/common';
import { CatalogClient } from './catalog.client';
import { HomeAggregation } from './home.aggregation';
import { InventoryClient } from './inventory.client';
import { ListAggregation } from './list.aggregation';
import { OrderAggregation } from './order.aggregation';
import { OrdersClient } from './orders.client';
import { ProductAggregation } from './product.aggregation';
import { ReviewsClient } from './reviews.client';
import { UsersClient } from './users.client';

const PROVIDERS = [
  CatalogClient,
  InventoryClient,
  OrdersClient,
  ReviewsClient,
  UsersClient,
  ProductAggregation,
  OrderAggregation,
  HomeAggregation,
  ListAggregation,
];

/**
 * Typed clients of the downstream services and the aggregations the BFFs share. They call through
 * the global DownstreamClient (DownstreamModule), so every call keeps its pipeline.
 */
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class DownstreamClientsModule {}
