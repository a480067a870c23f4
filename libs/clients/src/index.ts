export { DownstreamClientsModule } from './clients.module';
export { CatalogClient } from './catalog.client';
export { InventoryClient } from './inventory.client';
export { OrdersClient } from './orders.client';
export { UsersClient } from './users.client';
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
