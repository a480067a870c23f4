export { ORDER_STATUSES } from './downstream.contracts';
export type {
  Page,
  User,
  Product,
  Category,
  Inventory,
  ReviewSummary,
  OrderStatus,
  OrderItem,
  Order,
  OrderStatsByUser,
  Items,
} from './downstream.contracts';
