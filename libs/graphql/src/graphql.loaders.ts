import { CatalogClient, InventoryClient, ReviewsClient, BATCH_PAGE_SIZE } from '@app/clients';
import type { Inventory, Product, ReviewSummary } from '@app/contracts';
import type { InnerSpan, RequestSpans } from '@app/observability';
import DataLoader from 'dataloader';

/** Where the spans of loader batches go: the operation's span when there is one. */
export interface LoaderTracing {
  readonly spans: RequestSpans;
  /** Set once the operation's span is open (single operations; in a batch, the request's span). */
  operation?: InnerSpan;
}

type Batch<V> = (ids: readonly string[]) => Promise<(V | null)[]>;

const OPTIONS = { maxBatchSize: BATCH_PAGE_SIZE };

/**
 * Per-request loaders: every `product`, `availability` and `reviews` field asked in one tick
 * becomes one call to the service's batch endpoint (`?ids=`, `?productIds=`), and each id is
 * fetched once per request. New per request, so nothing is shared between callers. With tracing
 * on, each batch is a span `graphql.batch <loader>`.
 */
export class GraphqlLoaders {
  readonly product: DataLoader<string, Product | null>;
  readonly stock: DataLoader<string, Inventory | null>;
  readonly reviews: DataLoader<string, ReviewSummary | null>;

  constructor(
    catalog: CatalogClient,
    inventory: InventoryClient,
    reviews: ReviewsClient,
    tracing?: LoaderTracing,
  ) {
    this.product = loader(
      'product',
      async (ids) => byId(ids, await catalog.byIds(ids), (p) => p.id),
      tracing,
    );
    this.stock = loader(
      'stock',
      async (ids) => byId(ids, (await inventory.stock(ids)).items, (s) => s.productId),
      tracing,
    );
    this.reviews = loader(
      'reviews',
      async (ids) => byId(ids, (await reviews.summaries(ids)).items, (s) => s.productId),
      tracing,
    );
  }
}

function loader<V>(
  name: string,
  batch: Batch<V>,
  tracing: LoaderTracing | undefined,
): DataLoader<string, V | null> {
  if (tracing === undefined) return new DataLoader(batch, OPTIONS);
  // load() calls waiting for the next batch, per id: a batch span tells how many calls its
  // distinct ids served (ids already loaded or primed are answered from the cache, no batch).
  const waiting = new Map<string, number>();
  const cache = new Map<string, Promise<V | null>>();
  const traced = new DataLoader<string, V | null>(
    async (ids) => {
      let loads = 0;
      for (const id of ids) {
        loads += waiting.get(id) ?? 1;
        waiting.delete(id);
      }
      const span = tracing.spans.start(
        `graphql.batch ${name}`,
        {
          'graphql.batch.loader': name,
          'graphql.batch.size': loads,
          'graphql.batch.keys': ids.length,
        },
        tracing.operation,
      );
      if (span === undefined) return batch(ids);
      try {
        const values = await span.run(() => batch(ids));
        span.end();
        return values;
      } catch (error) {
        span.end(errorType(error));
        throw error;
      }
    },
    { ...OPTIONS, cacheMap: cache },
  );
  const load = traced.load.bind(traced);
  traced.load = (id: string) => {
    const count = waiting.get(id);
    if (count !== undefined) waiting.set(id, count + 1);
    else if (!cache.has(id)) waiting.set(id, 1);
    return load(id);
  };
  return traced;
}

/** What a span says about a failed batch: the typed error's code, never its message. */
function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error';
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
