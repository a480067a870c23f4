import type { CatalogClient, InventoryClient, ReviewsClient } from '@app/clients';
import type { Product } from '@app/contracts';
import type { InnerSpan, InnerSpanAttributes, RequestSpans } from '@app/observability';
import { GraphqlLoaders } from './graphql.loaders';

/** Records the spans started, as a tracing-on RequestSpans would start them. */
function recordingSpans(): {
  spans: RequestSpans;
  started: { name: string; attributes: InnerSpanAttributes; parent?: InnerSpan; error?: string }[];
} {
  const started: {
    name: string;
    attributes: InnerSpanAttributes;
    parent?: InnerSpan;
    error?: string;
  }[] = [];
  const spans = {
    enabled: true,
    start: (name: string, attributes: InnerSpanAttributes, parent?: InnerSpan): InnerSpan => {
      const entry: (typeof started)[number] = { name, attributes, parent };
      started.push(entry);
      return {
        setAttribute: () => undefined,
        run: (work) => work(),
        end: (error) => {
          entry.error = error;
        },
      };
    },
  } as unknown as RequestSpans;
  return { spans, started };
}

const product = (id: string) => ({ id }) as Product;

describe('GraphqlLoaders', () => {
  const calls: string[][] = [];
  const catalog = {
    byIds: async (ids: readonly string[]) => {
      calls.push([...ids]);
      if (ids.includes('boom')) throw Object.assign(new Error('down'), { code: 'UPSTREAM_5XX' });
      return ids.filter((id) => id !== 'missing').map(product);
    },
  } as unknown as CatalogClient;
  const none = {} as InventoryClient & ReviewsClient;

  beforeEach(() => calls.splice(0));

  it('batches one tick into one call, each id once, unknown ids null', async () => {
    const loaders = new GraphqlLoaders(catalog, none, none);
    const values = await Promise.all(
      ['a', 'b', 'a', 'missing'].map((id) => loaders.product.load(id)),
    );
    expect(values).toEqual([product('a'), product('b'), product('a'), null]);
    expect(calls).toEqual([['a', 'b', 'missing']]);
  });

  it('spans each batch with its load() calls (size) and distinct ids (keys), under the operation', async () => {
    const { spans, started } = recordingSpans();
    const operation = { name: 'op' } as unknown as InnerSpan;
    const loaders = new GraphqlLoaders(catalog, none, none, { spans, operation });
    loaders.product.prime('p', product('p'));
    await Promise.all(['a', 'b', 'a', 'a', 'p'].map((id) => loaders.product.load(id)));
    // Second tick: 'a' is cached (no batch), 'c' twice is a batch of 2 loads, 1 key.
    await Promise.all(['a', 'c', 'c'].map((id) => loaders.product.load(id)));
    expect(calls).toEqual([['a', 'b'], ['c']]);
    expect(started).toEqual([
      {
        name: 'graphql.batch product',
        attributes: {
          'graphql.batch.loader': 'product',
          'graphql.batch.size': 4,
          'graphql.batch.keys': 2,
        },
        parent: operation,
        error: undefined,
      },
      {
        name: 'graphql.batch product',
        attributes: {
          'graphql.batch.loader': 'product',
          'graphql.batch.size': 2,
          'graphql.batch.keys': 1,
        },
        parent: operation,
        error: undefined,
      },
    ]);
  });

  it("marks a failed batch's span with the error's code", async () => {
    const { spans, started } = recordingSpans();
    const loaders = new GraphqlLoaders(catalog, none, none, { spans });
    await expect(loaders.product.load('boom')).rejects.toThrow('down');
    expect(started).toEqual([
      expect.objectContaining({ error: 'UPSTREAM_5XX', parent: undefined }),
    ]);
  });
});
