export { DownstreamClientsModule } from './clients.module';
export { CatalogClient } from './catalog.client';
export { InventoryClient } from './inventory.client';
export { OrdersClient } from './orders.client';
export { ReviewsClient } from './reviews.client';
export { UsersClient } from './users.client';
export type { ProductQuery } from './catalog.client';
export type { OrderQuery } from './orders.client';
export { BATCH_PAGE_SIZE } from './client.types';
export { ProductAggregation } from './product.aggregation';
export { OrderAggregation } from './order.aggregation';
export { HomeAggregation } from './home.aggregation';
export { ListAggregation } from './list.aggregation';
export type {
  OrderListPage,
  ProductListPage,
  ProductListFilter,
  PageRequest,
} from './list.aggregation';
