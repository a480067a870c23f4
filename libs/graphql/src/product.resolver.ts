import { CatalogClient } from '@app/clients';
import type { Inventory, Product, ReviewSummary } from '@app/contracts';
import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphqlConfig } from '@app/config';
import { type GraphqlContext, optionalPart } from './graphql.context';
import { connectionOf, pagesFor, startAfter } from './graphql.cursor';
import { GraphqlBadInputError } from './graphql.errors';
import {
  AvailabilityModel,
  ProductConnectionModel,
  ProductModel,
  ReviewSummaryModel,
} from './graphql.models';
import { GRAPHQL_SETTINGS } from './graphql.tokens';

/** `first` within 1..max, else BAD_USER_INPUT. */
export function checkFirst(first: number, max: number): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new GraphqlBadInputError(`first must be between 1 and ${max}`);
  }
  return first;
}

/**
 * Products: one by id, a cursor connection over the catalog, and the product page's optional
 * parts (availability, reviews, related). Optional parts that fail are null with an error at
 * their path and mark the response partial, as the REST product page does.
 */
@Resolver(() => ProductModel)
export class ProductResolver {
  constructor(
    private readonly catalog: CatalogClient,
    @Inject(GRAPHQL_SETTINGS) private readonly settings: GraphqlConfig,
  ) {}

  @Query(() => ProductModel, { nullable: true, description: 'One product; null when unknown.' })
  async product(
    @Args('id', { type: () => ID }) id: string,
    @Context() ctx: GraphqlContext,
  ): Promise<Product | null> {
    return ctx.loaders.product.load(id);
  }

  @Query(() => ProductConnectionModel, { description: 'Products, filtered, a page at a time.' })
  async products(
    @Context() ctx: GraphqlContext,
    @Args('category', { type: () => String, nullable: true }) category?: string | null,
    @Args('query', { type: () => String, nullable: true }) query?: string | null,
    @Args('first', { type: () => Int, defaultValue: 10 }) first = 10,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ProductConnectionModel> {
    checkFirst(first, this.settings.maxPage);
    const start = startAfter(after);
    const pages = await Promise.all(
      pagesFor(start, first).map((p) =>
        this.catalog.page({
          ...p,
          ...(category == null ? {} : { category }),
          ...(query == null ? {} : { q: query }),
        }),
      ),
    );
    const connection = connectionOf(pages, start, first);
    // Later lookups of these products (an order line, a related list) need no call.
    for (const edge of connection.edges) ctx.loaders.product.prime(edge.node.id, edge.node);
    return connection as unknown as ProductConnectionModel;
  }

  @ResolveField(() => AvailabilityModel, { nullable: true })
  availability(
    @Parent() product: Product,
    @Context() ctx: GraphqlContext,
  ): Promise<AvailabilityModel | null> {
    return optionalPart(ctx, 'availability', async () => {
      const stock: Inventory | null = await ctx.loaders.stock.load(product.id);
      return stock === null
        ? null
        : {
            available: stock.available,
            inStock: stock.available > 0,
            restockDate: stock.restockDate,
          };
    });
  }

  @ResolveField(() => ReviewSummaryModel, { nullable: true })
  reviews(
    @Parent() product: Product,
    @Context() ctx: GraphqlContext,
  ): Promise<ReviewSummary | null> {
    return optionalPart(ctx, 'reviews', () => ctx.loaders.reviews.load(product.id));
  }

  @ResolveField(() => [ProductModel], {
    nullable: true,
    description: 'Products like this one (same category, close in price).',
  })
  related(
    @Parent() product: Product,
    @Context() ctx: GraphqlContext,
    @Args('first', { type: () => Int, defaultValue: 4 }) first = 4,
  ): Promise<Product[]> {
    checkFirst(first, this.settings.maxPage);
    return optionalPart(ctx, 'related', async () => {
      const { items } = await this.catalog.related(product.id, first);
      for (const p of items) ctx.loaders.product.prime(p.id, p);
      return items;
    });
  }
}
