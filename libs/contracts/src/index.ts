export { ORDER_STATUSES } from './downstream.contracts';
export type {
  Money,
  Page,
  User,
  Product,
  ProductImage,
  Category,
  Inventory,
  ReviewSummary,
  OrderStatus,
  OrderItem,
  Order,
  OrderStats,
  OrderStatsByUser,
  Items,
} from './downstream.contracts';
