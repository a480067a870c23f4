import { CatalogClient, InventoryClient, ReviewsClient, BATCH_PAGE_SIZE } from '@app/clients';
import type { Inventory, Product, ReviewSummary } from '@app/contracts';
import DataLoader from 'dataloader';

/**
 * Per-request loaders: every `product`, `availability` and `reviews` field asked in one tick
 * becomes one call to the service's batch endpoint (`?ids=`, `?productIds=`), and each id is
 * fetched once per request. New per request, so nothing is shared between callers.
 */
export class GraphqlLoaders {
  readonly product: DataLoader<string, Product | null>;
  readonly stock: DataLoader<string, Inventory | null>;
  readonly reviews: DataLoader<string, ReviewSummary | null>;

  constructor(catalog: CatalogClient, inventory: InventoryClient, reviews: ReviewsClient) {
    const options = { maxBatchSize: BATCH_PAGE_SIZE };
    this.product = new DataLoader(
      async (ids) => byId(ids, await catalog.byIds(ids), (p) => p.id),
      options,
    );
    this.stock = new DataLoader(
      async (ids) => byId(ids, (await inventory.stock(ids)).items, (s) => s.productId),
      options,
    );
    this.reviews = new DataLoader(
      async (ids) => byId(ids, (await reviews.summaries(ids)).items, (s) => s.productId),
      options,
    );
  }
}

/** The batch answer in the order of `ids`; unknown ids give null. */
function byId<T>(
  ids: readonly string[],
  items: readonly T[],
  idOf: (item: T) => string,
): (T | null)[] {
  const found = new Map(items.map((item) => [idOf(item), item]));
  return ids.map((id) => found.get(id) ?? null);
}
