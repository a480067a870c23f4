import { CatalogClient } from '@app/clients';
import type { GraphqlConfig } from '@app/config';
import type { Category, Product } from '@app/contracts';
import { Inject } from '@nestjs/common';
import { Args, Context, Int, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { type GraphqlContext, optionalPart } from './graphql.context';
import { CategoryModel, HomeModel, ProductModel } from './graphql.models';
import { GRAPHQL_SETTINGS } from './graphql.tokens';
import { checkFirst } from './product.resolver';

/** The home screen: featured products (required) and categories (optional). */
@Resolver(() => HomeModel)
export class HomeResolver {
  constructor(
    private readonly catalog: CatalogClient,
    @Inject(GRAPHQL_SETTINGS) private readonly settings: GraphqlConfig,
  ) {}

  @Query(() => HomeModel)
  home(): HomeModel {
    return { ok: true };
  }

  @ResolveField(() => [ProductModel])
  async featured(
    @Context() ctx: GraphqlContext,
    @Args('first', { type: () => Int, defaultValue: 8 }) first = 8,
  ): Promise<Product[]> {
    checkFirst(first, this.settings.maxPage);
    const { items } = await this.catalog.page({ featured: true, pageSize: first });
    for (const p of items) ctx.loaders.product.prime(p.id, p);
    return items;
  }

  @ResolveField(() => [CategoryModel], { nullable: true })
  categories(@Context() ctx: GraphqlContext): Promise<Category[]> {
    return optionalPart(ctx, 'categories', async () => (await this.catalog.categories()).items);
  }
}
