import { loadConfig } from '@app/config';
import { compileRouteTable } from './route-table.loader';

const config = loadConfig({ DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc' });
const GET_STOCK = { service: 'bff.inventory.v1.InventoryService', method: 'GetStock' };

function problems(route: Record<string, unknown>): string {
  try {
    compileRouteTable({ routes: [{ name: 'r', service: 'inventory', ...route }] }, config);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('REST-to-gRPC routes in the route table', () => {
  it('compiles a route naming an RPC, with its path as Fastify parameters', () => {
    const [route] = compileRouteTable(
      {
        routes: [
          {
            name: 'stock',
            path: '/api/v1/stock/{product_id}',
            service: 'inventory',
            grpc: GET_STOCK,
            methods: ['GET'],
            auth: 'public',
            timeoutMs: 1000,
          },
        ],
      },
      config,
    );
    expect(route.grpc).toEqual({
      rpc: 'bff.inventory.v1.InventoryService/GetStock',
      fastifyPath: '/api/v1/stock/:product_id',
    });
    expect(route.settings).toMatchObject({ name: 'stock', auth: 'public', timeoutMs: 1000 });
  });

  it.each([
    [
      'an unknown RPC',
      { path: '/s', grpc: { ...GET_STOCK, method: 'Nope' } },
      /is not a unary RPC/,
    ],
    ['a malformed grpc field', { path: '/s', grpc: { service: 'x' } }, /grpc must be/],
    [
      'a path field the message lacks',
      { path: '/s/{sku}', grpc: GET_STOCK },
      /\{sku\} is not a field/,
    ],
    [
      'a path with a pattern',
      { path: '/s/{product_id=**}', grpc: GET_STOCK },
      /path must be a plain path/,
    ],
    ['a path the BFF serves', { path: '/health/{product_id}', grpc: GET_STOCK }, /would shadow/],
    ['a prefix as well', { path: '/s', prefix: '/s', grpc: GET_STOCK }, /prefix does not apply/],
    [
      'a cache setting',
      { path: '/s', grpc: GET_STOCK, cacheTtlSeconds: 5 },
      /cacheTtlSeconds does not apply/,
    ],
    [
      'a service over HTTP',
      { service: 'catalog', path: '/s', grpc: GET_STOCK },
      /must use the grpc transport/,
    ],
  ])('refuses %s at boot, naming it', (_name, route, message) => {
    expect(problems(route)).toMatch(message);
  });

  it('refuses a pass-through route to a gRPC service', () => {
    expect(problems({ prefix: '/api/v1/inventory' })).toMatch(/uses the grpc transport/);
  });
});
