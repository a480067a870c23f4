import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS } from '@app/downstream';
import { type Sandbox, startSandbox } from './sandbox';

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, value?: Record<string, unknown>) => void,
) => grpc.ClientUnaryCall;

const definition = protoLoader.loadSync(
  [
    'bff/inventory/v1/inventory.proto',
    'bff/reviews/v1/reviews.proto',
    'grpc/health/v1/health.proto',
  ],
  { ...PROTO_LOADER_OPTIONS, includeDirs: ['protos'] },
);
const loaded = grpc.loadPackageDefinition(definition) as unknown as Record<
  string,
  Record<string, Record<string, Record<string, grpc.ServiceClientConstructor>>>
>;

function client(url: string, ctor: grpc.ServiceClientConstructor): grpc.Client {
  return new ctor(new URL(url).host, grpc.credentials.createInsecure());
}

function call(
  c: grpc.Client,
  method: string,
  request: object,
  options: grpc.CallOptions = {},
  metadata = new grpc.Metadata(),
): Promise<Record<string, unknown>> {
  const fn = (c as unknown as Record<string, Unary>)[method].bind(c);
  return new Promise((resolve, reject) => {
    fn(request, metadata, options, (error, value) =>
      error === null ? resolve(value ?? {}) : reject(error),
    );
  });
}

describe('sandbox gRPC listeners', () => {
  let sandbox: Sandbox;
  let inventory: grpc.Client;
  let reviews: grpc.Client;
  let health: grpc.Client;

  beforeAll(async () => {
    sandbox = await startSandbox();
    inventory = client(sandbox.grpcUrls.inventory, loaded.bff.inventory.v1.InventoryService);
    reviews = client(sandbox.grpcUrls.reviews, loaded.bff.reviews.v1.ReviewsService);
    health = client(sandbox.grpcUrls.inventory, loaded.grpc.health.v1.Health);
  });

  afterAll(async () => {
    for (const c of [inventory, reviews, health]) c?.close();
    await sandbox?.close();
  });

  afterEach(async () => {
    sandbox.faults.reset();
    await sandbox.settle();
    sandbox.resetStats();
  });

  it('serves the same seeded stock and review summary as the HTTP listeners', async () => {
    const http = (await (await fetch(`${sandbox.urls.inventory}/inventory/prd_0001`)).json()) as {
      restockDate: string | null;
    };
    const stock = await call(inventory, 'GetStock', { productId: 'prd_0001' });
    expect({
      ...stock,
      restockDate: (stock.restockDate as { value: string } | null)?.value ?? null,
    }).toEqual(http);
    const summary = await call(reviews, 'GetReviewSummary', { productId: 'prd_0001' });
    const httpSummary = await (
      await fetch(`${sandbox.urls.reviews}/reviews/summary/prd_0001`)
    ).json();
    expect(summary).toEqual(httpSummary);
  });

  it('answers NOT_FOUND and INVALID_ARGUMENT like the HTTP 404 and 400', async () => {
    await expect(call(inventory, 'GetStock', { productId: 'prd_9999' })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    await expect(call(reviews, 'GetReviewSummary', { productId: 'a b' })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });

  it('serves grpc.health.v1 for its own service and NOT_FOUND for others', async () => {
    await expect(call(health, 'Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });
    await expect(
      call(health, 'Check', { service: 'bff.inventory.v1.InventoryService' }),
    ).resolves.toEqual({ status: 'SERVING' });
    await expect(call(health, 'Check', { service: 'nope.Service' })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('injects status codes, derived from errorStatus or set by grpcStatus, and records metadata', async () => {
    sandbox.faults.set('inventory', { errorRate: 1, errorStatus: 503 });
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'req-1');
    await expect(
      call(inventory, 'GetStock', { productId: 'prd_0001' }, {}, metadata),
    ).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    sandbox.faults.set('inventory', { grpcStatus: grpc.status.PERMISSION_DENIED });
    await expect(call(inventory, 'GetStock', { productId: 'prd_0001' })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
    expect(sandbox.hits('inventory')).toBe(2);
    expect(sandbox.recorded('inventory')[0]).toMatchObject({
      method: 'POST',
      url: '/bff.inventory.v1.InventoryService/GetStock',
      headers: expect.objectContaining({ 'x-request-id': 'req-1' }),
    });
  });

  it('counts a call whose deadline ran out during injected latency as cancelled', async () => {
    sandbox.faults.set('reviews', { latencyMs: 5_000 });
    await expect(
      call(reviews, 'GetReviewSummary', { productId: 'prd_0001' }, { deadline: Date.now() + 200 }),
    ).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    const deadline = Date.now() + 10_000;
    while (sandbox.cancellations('reviews') === 0 && Date.now() < deadline) {
      await new Promise((r) => setImmediate(r));
    }
    expect(sandbox.cancellations('reviews')).toBe(1);
  });

  it('resets streams at resetRate', async () => {
    sandbox.faults.set('inventory', { resetRate: 1 });
    await expect(call(inventory, 'GetStock', { productId: 'prd_0001' })).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
    });
  });

  it('stops serving during an outage and serves again on the same port after it', async () => {
    sandbox.faults.set('inventory', { outage: true });
    await sandbox.settle();
    await expect(
      call(inventory, 'GetStock', { productId: 'prd_0001' }, { deadline: Date.now() + 2_000 }),
    ).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    sandbox.faults.reset('inventory');
    await sandbox.settle();
    // The channel backs off after its refused connects: wait for it to connect again.
    const waitForReady = new grpc.Metadata();
    waitForReady.setOptions({ waitForReady: true });
    await expect(
      call(
        inventory,
        'GetStock',
        { productId: 'prd_0001' },
        { deadline: Date.now() + 10_000 },
        waitForReady,
      ),
    ).resolves.toMatchObject({ productId: 'prd_0001' });
  });
});
