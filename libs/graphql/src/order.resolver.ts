import { userIdOf } from '@app/auth';
import { OrderAggregation, OrdersClient, UsersClient } from '@app/clients';
import type { GraphqlConfig } from '@app/config';
import type { Order, OrderItem, Product } from '@app/contracts';
import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { type GraphqlContext, optionalPart, principalOf } from './graphql.context';
import { connectionOf, pagesFor, startAfter } from './graphql.cursor';
import { GraphqlUnauthenticatedError } from './graphql.errors';
import {
  OrderConnectionModel,
  OrderLineModel,
  OrderModel,
  ProductModel,
  ViewerModel,
} from './graphql.models';
import { GRAPHQL_SETTINGS } from './graphql.tokens';
import { checkFirst } from './product.resolver';

/** The signed-in user: `viewer { orders }`, and `order(id)` for its owner (or support, admin). */
@Resolver(() => ViewerModel)
export class ViewerResolver {
  constructor(
    private readonly ordersClient: OrdersClient,
    private readonly users: UsersClient,
    @Inject(GRAPHQL_SETTINGS) private readonly settings: GraphqlConfig,
  ) {}

  @Query(() => ViewerModel, {
    nullable: true,
    description: 'The signed-in user; null with UNAUTHENTICATED for anonymous callers.',
  })
  viewer(@Context() ctx: GraphqlContext): ViewerModel {
    const id = userIdOf(principalOf(ctx));
    if (id === undefined) throw new GraphqlUnauthenticatedError('Sign in to read your account');
    return { id };
  }

  @ResolveField(() => String, { nullable: true })
  displayName(@Parent() viewer: ViewerModel, @Context() ctx: GraphqlContext): Promise<string> {
    return optionalPart(ctx, 'user', async () => (await this.users.byId(viewer.id)).displayName);
  }

  @ResolveField(() => OrderConnectionModel, { description: 'Newest first.' })
  async orders(
    @Parent() viewer: ViewerModel,
    @Args('first', { type: () => Int, defaultValue: 10 }) first = 10,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<OrderConnectionModel> {
    checkFirst(first, this.settings.maxPage);
    const start = startAfter(after);
    const pages = await Promise.all(
      pagesFor(start, first).map((p) => this.ordersClient.page({ ...p, userId: viewer.id })),
    );
    return connectionOf(pages, start, first) as unknown as OrderConnectionModel;
  }
}

@Resolver(() => OrderModel)
export class OrderResolver {
  constructor(private readonly aggregation: OrderAggregation) {}

  @Query(() => OrderModel, {
    nullable: true,
    description: "One order: the caller's own (support and admin: any). Sign-in required.",
  })
  order(
    @Args('id', { type: () => ID }) id: string,
    @Context() ctx: GraphqlContext,
  ): Promise<Order> {
    const principal = principalOf(ctx);
    if (principal === undefined) throw new GraphqlUnauthenticatedError('Sign in to read orders');
    return this.aggregation.owned(id, principal);
  }
}

/** An order line's product, batched: every line of every order in one catalog call. */
@Resolver(() => OrderLineModel)
export class OrderLineResolver {
  @ResolveField(() => ProductModel, { nullable: true })
  product(@Parent() line: OrderItem, @Context() ctx: GraphqlContext): Promise<Product | null> {
    return optionalPart(ctx, 'products', () => ctx.loaders.product.load(line.productId));
  }
}
