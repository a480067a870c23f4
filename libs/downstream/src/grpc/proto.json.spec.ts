import { loadSync } from '@grpc/proto-loader';
import { resolve } from 'node:path';
import { GrpcContracts } from './grpc.contracts';
import { compilePathTemplate } from './path.template';
import { PROTO_LOADER_OPTIONS, ProtoTypes, TranscodeError, messageToJson } from './proto.json';

const protoDir = resolve('protos');
const contracts = new GrpcContracts({
  protoDir,
  protoFiles: ['bff/inventory/v1/inventory.proto'],
  services: ['bff.inventory.v1.InventoryService'],
  maxMessageBytes: 4096,
  keepAliveMs: 300_000,
});

describe('gRPC contracts and the proto3 JSON mapping', () => {
  it('reads idempotency levels and google.api.http rules from the proto', () => {
    expect(contracts.method('bff.inventory.v1.InventoryService/GetStock').idempotent).toBe(true);
    expect(contracts.method('bff.inventory.v1.InventoryService/ReserveStock').idempotent).toBe(
      false,
    );
    expect(contracts.fromHttp('GET', '/inventory/prd_0001', undefined)).toMatchObject({
      rpc: { name: 'bff.inventory.v1.InventoryService/GetStock' },
      message: { productId: 'prd_0001' },
    });
    expect(contracts.fromHttp('GET', '/health', undefined)?.rpc.name).toBe(
      'grpc.health.v1.Health/Check',
    );
    expect(contracts.fromHttp('DELETE', '/inventory/prd_0001', undefined)).toBeUndefined();
  });

  it('maps the query (comma lists and repeated parameters) and the body into the message', () => {
    expect(
      contracts.fromHttp(
        'GET',
        '/inventory?productIds=prd_0001,prd_0002&product_ids=prd_0003',
        undefined,
      )?.message,
    ).toEqual({ productIds: ['prd_0001', 'prd_0002', 'prd_0003'] });
    expect(
      contracts.fromHttp('POST', '/inventory/prd_0001/reservations', {
        quantity: '2',
        orderId: 'o1',
      })?.message,
    ).toEqual({ productId: 'prd_0001', quantity: 2, orderId: 'o1' });
  });

  it.each([
    ['an unknown body field', { quantity: 1, colour: 'red' }, /unknown field body.colour/],
    ['a string for an integer', { quantity: 'two' }, /body.quantity must be an integer/],
    ['a fraction for an integer', { quantity: 1.5 }, /body.quantity must be an integer/],
    ['an int32 out of range', { quantity: 2 ** 31 }, /body.quantity must be an integer/],
    ['a number for a string', { orderId: 7 }, /body.orderId must be a string/],
    ['an array for the message', [1], /body must be an object/],
  ])('refuses %s', (_name, body, message) => {
    expect(() => contracts.fromHttp('POST', '/inventory/prd_0001/reservations', body)).toThrow(
      message,
    );
  });

  it('refuses unknown query parameters and a field set twice', () => {
    expect(() => contracts.fromHttp('GET', '/inventory/prd_0001?foo=1', undefined)).toThrow(
      TranscodeError,
    );
    expect(() =>
      contracts.fromHttp('GET', '/inventory/prd_0001?product_id=prd_0002', undefined),
    ).toThrow(/given twice/);
  });

  it('writes every field, unset messages as null and wrappers as their value', () => {
    const definition = loadSync(
      ['bff/inventory/v1/inventory.proto', 'bff/reviews/v1/reviews.proto'],
      {
        ...PROTO_LOADER_OPTIONS,
        includeDirs: [protoDir],
      },
    );
    const types = new ProtoTypes(definition);
    const stock = types.message('bff.inventory.v1.Stock');
    expect(
      messageToJson(types, stock, {
        productId: 'p',
        available: 0,
        reserved: 0,
        warehouses: [],
        restockDate: null,
        updatedAt: '',
      }),
    ).toEqual({
      productId: 'p',
      available: 0,
      reserved: 0,
      warehouses: [],
      restockDate: null,
      updatedAt: '',
    });
    expect(
      messageToJson(types, stock, {
        restockDate: { value: '2026-12-24' },
        warehouses: [{ id: 'w' }],
      }),
    ).toMatchObject({ restockDate: '2026-12-24', warehouses: [{ id: 'w' }] });
    const summary = types.message('bff.reviews.v1.ReviewSummary');
    expect(
      messageToJson(types, summary, { averageRating: NaN, distribution: { '5': 2 } }),
    ).toMatchObject({ averageRating: 'NaN', distribution: { '5': 2 } });
  });
});

describe('proto3 JSON of oneofs, optional fields and well-known types', () => {
  const contracts = new GrpcContracts({
    protoDir: __dirname,
    protoFiles: ['proto.json.spec.proto'],
    services: ['bfftest.mapping.v1.MappingService'],
    maxMessageBytes: 4096,
    keepAliveMs: 300_000,
  });
  const rpc = contracts.method('bfftest.mapping.v1.MappingService/Echo');
  const { requestSerialize, responseDeserialize } = rpc.definition;
  /** Encodes and decodes like the transport, then writes proto3 JSON. */
  const roundTrip = (message: object) =>
    messageToJson(contracts.types, rpc.response, responseDeserialize(requestSerialize(message)));

  it('writes only the set member of a oneof and leaves unset optional fields out', () => {
    expect(roundTrip({})).toEqual({ c: null, at: null, took: null });
    expect(roundTrip({ b: { x: 'y' }, d: 0 })).toEqual({
      b: { x: 'y' },
      c: null,
      d: 0,
      at: null,
      took: null,
    });
  });

  it('writes and reads Timestamp and Duration in their JSON forms', () => {
    expect(
      roundTrip({
        at: { seconds: '1700000000', nanos: 5_000_000 },
        took: { seconds: '-1', nanos: -500_000_000 },
      }),
    ).toMatchObject({ at: '2023-11-14T22:13:20.005Z', took: '-1.500s' });
    expect(
      contracts.messageFor(rpc, {}, new URLSearchParams(), {
        at: '2023-11-14T23:13:20.000000001+01:00',
        took: '2.25s',
      }),
    ).toEqual({
      at: { seconds: '1700000000', nanos: 1 },
      took: { seconds: '2', nanos: 250_000_000 },
    });
    expect(() => contracts.messageFor(rpc, {}, new URLSearchParams(), { at: 'yesterday' })).toThrow(
      /body.at must be an RFC 3339 timestamp/,
    );
    expect(() => contracts.messageFor(rpc, {}, new URLSearchParams(), { took: 5 })).toThrow(
      /body.took must be a duration/,
    );
  });
});

describe('path templates', () => {
  it('binds single segments, segment patterns and the rest of the path', () => {
    expect(compilePathTemplate('/inventory/{product_id}').match('/inventory/prd%5F1')).toEqual({
      product_id: 'prd_1',
    });
    expect(compilePathTemplate('/v1/{name=shelves/*}/books').match('/v1/shelves/s1/books')).toEqual(
      { name: 'shelves/s1' },
    );
    expect(compilePathTemplate('/files/{path=**}').match('/files/a/b/c')).toEqual({
      path: 'a/b/c',
    });
    expect(compilePathTemplate('/inventory/{product_id}').match('/inventory/a/b')).toBeUndefined();
    expect(() => compilePathTemplate('inventory')).toThrow(/start with/);
  });
});
