import { allow } from './graphql.authorize';
import { ORDER_STATUSES, type OrderStatus } from '@app/contracts';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/*
 * The schema's object types (code-first). Resolvers return the downstream contracts
 * (@app/contracts) as they are: these classes only describe which of their fields clients see,
 * so internal fields (cost price, supplier, fraud score, payment reference) are simply absent.
 */

@ObjectType('Money', { description: 'An amount of money.' })
export class MoneyModel {
  @Field(() => Float)
  amount!: number;
  @Field({ description: 'ISO 4217 code.' })
  currency!: string;
}

@ObjectType('Availability', { description: 'Stock of a product (inventory service).' })
export class AvailabilityModel {
  @Field(() => Int)
  available!: number;
  @Field({ description: 'At least one unit available.' })
  inStock!: boolean;
  @Field(() => String, { nullable: true })
  restockDate!: string | null;
}

@ObjectType('ReviewSummary', { description: 'Ratings of a product (reviews service).' })
export class ReviewSummaryModel {
  @Field(() => Float)
  averageRating!: number;
  @Field(() => Int)
  count!: number;
}

@ObjectType('Product')
export class ProductModel {
  @Field(() => ID)
  id!: string;
  @Field()
  sku!: string;
  @Field()
  name!: string;
  @Field()
  description!: string;
  @Field()
  category!: string;
  @Field()
  brand!: string;
  @Field(() => MoneyModel)
  price!: MoneyModel;
  @Field()
  thumbnailUrl!: string;
  @Field()
  featured!: boolean;
  @Field(() => [String])
  tags!: string[];
}

@ObjectType('PageInfo')
export class PageInfoModel {
  @Field()
  hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
}

@ObjectType('ProductEdge')
export class ProductEdgeModel {
  @Field()
  cursor!: string;
  @Field(() => ProductModel)
  node!: ProductModel;
}

@ObjectType('ProductConnection')
export class ProductConnectionModel {
  @Field(() => [ProductEdgeModel])
  edges!: ProductEdgeModel[];
  @Field(() => PageInfoModel)
  pageInfo!: PageInfoModel;
  @Field(() => Int)
  totalCount!: number;
}

@ObjectType('OrderLine')
export class OrderLineModel {
  @Field(() => ID)
  productId!: string;
  @Field(() => Int)
  quantity!: number;
  @Field(() => MoneyModel)
  unitPrice!: MoneyModel;
}

/** The order statuses of the orders service, as a GraphQL enum. */
export const OrderStatusEnum = Object.fromEntries(ORDER_STATUSES.map((s) => [s.toUpperCase(), s]));
registerEnumType(OrderStatusEnum, { name: 'OrderStatus' });

@ObjectType('Order')
export class OrderModel {
  @Field(() => ID)
  id!: string;
  @Field(() => OrderStatusEnum)
  status!: OrderStatus;
  @Field(() => [OrderLineModel])
  items!: OrderLineModel[];
  @Field(() => MoneyModel)
  total!: MoneyModel;
  @Field()
  createdAt!: string;
  @Field()
  updatedAt!: string;
  @Field(() => Float, {
    nullable: true,
    description: 'Fraud risk, 0..1: support and admin staff with the orders:read scope only.',
    middleware: [allow({ roles: ['support', 'admin'], scopes: ['orders:read'] })],
  })
  fraudScore!: number;
}

@ObjectType('OrderEdge')
export class OrderEdgeModel {
  @Field()
  cursor!: string;
  @Field(() => OrderModel)
  node!: OrderModel;
}

@ObjectType('OrderConnection')
export class OrderConnectionModel {
  @Field(() => [OrderEdgeModel])
  edges!: OrderEdgeModel[];
  @Field(() => PageInfoModel)
  pageInfo!: PageInfoModel;
  @Field(() => Int)
  totalCount!: number;
}

@ObjectType('Viewer', { description: 'The signed-in user.' })
export class ViewerModel {
  @Field(() => ID)
  id!: string;
}

@ObjectType('Category')
export class CategoryModel {
  @Field(() => ID)
  id!: string;
  @Field()
  name!: string;
  @Field(() => Int)
  productCount!: number;
}

@ObjectType('Home', { description: 'What a home screen shows.' })
export class HomeModel {
  /** No fields of its own: every field is resolved on demand. */
  @Field(() => Boolean, { description: 'Always true; the fields below are what matters.' })
  ok!: boolean;
}
