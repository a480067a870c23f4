import { resolve } from 'node:path';
import { ConfigValidationError, loadConfig } from './config.loader';

describe('gRPC downstream settings', () => {
  it('defaults the sandbox services that speak gRPC to their gRPC port and contract', () => {
    const config = loadConfig({
      SANDBOX_PORT: '5000',
      DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc',
      DOWNSTREAM_REVIEWS_TRANSPORT: 'grpc',
    });
    expect(config.downstreams.inventory).toMatchObject({
      transport: 'grpc',
      urls: ['grpc://127.0.0.1:5014'],
      grpc: {
        protoDir: resolve('protos'),
        protoFiles: ['bff/inventory/v1/inventory.proto'],
        services: ['bff.inventory.v1.InventoryService'],
        maxMessageBytes: 4 * 1024 * 1024,
        keepAliveMs: 300_000,
      },
    });
    expect(config.downstreams.reviews.urls).toEqual(['grpc://127.0.0.1:5015']);
    // The HTTP transports carry no gRPC settings.
    expect(config.downstreams.catalog.grpc).toBeUndefined();
  });

  it('reads several instances, TLS, the contract and the limits', () => {
    const config = loadConfig({
      DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc',
      DOWNSTREAM_INVENTORY_URL: 'grpc://a:7000,grpcs://b:7001',
      DOWNSTREAM_INVENTORY_GRPC_PROTO: 'stock/v2/stock.proto',
      DOWNSTREAM_INVENTORY_GRPC_SERVICE: 'stock.v2.Stock,stock.v2.Admin',
      DOWNSTREAM_INVENTORY_GRPC_MAX_MESSAGE_BYTES: '65536',
      DOWNSTREAM_INVENTORY_GRPC_KEEPALIVE_MS: '60000',
      GRPC_PROTO_DIR: '/srv/protos',
    });
    expect(config.downstreams.inventory.urls).toEqual(['grpc://a:7000', 'grpcs://b:7001']);
    expect(config.downstreams.inventory.grpc).toEqual({
      protoDir: '/srv/protos',
      protoFiles: ['stock/v2/stock.proto'],
      services: ['stock.v2.Stock', 'stock.v2.Admin'],
      maxMessageBytes: 65_536,
      keepAliveMs: 60_000,
    });
  });

  it('stops start-up naming each bad variable', () => {
    const problems = (() => {
      try {
        loadConfig({
          DOWNSTREAM_CATALOG_TRANSPORT: 'grpc',
          DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc',
          DOWNSTREAM_INVENTORY_URL: 'http://127.0.0.1:4004',
          DOWNSTREAM_REVIEWS_TRANSPORT: 'grpc',
          DOWNSTREAM_REVIEWS_GRPC_PROTO: '../etc/passwd.proto',
          DOWNSTREAM_REVIEWS_GRPC_SERVICE: 'NoPackage',
          DOWNSTREAM_REVIEWS_GRPC_MAX_MESSAGE_BYTES: '10',
        });
      } catch (error) {
        return (error as ConfigValidationError).problems.join('\n');
      }
      return '';
    })();
    expect(problems).toMatch(/DOWNSTREAM_CATALOG_URL is required/);
    expect(problems).toMatch(/DOWNSTREAM_CATALOG_GRPC_PROTO is required/);
    expect(problems).toMatch(/DOWNSTREAM_CATALOG_GRPC_SERVICE is required/);
    expect(problems).toMatch(
      /DOWNSTREAM_INVENTORY_URL must be a comma-separated list of grpc:\/grpcs:/,
    );
    expect(problems).toMatch(/DOWNSTREAM_REVIEWS_GRPC_PROTO must list .proto files/);
    expect(problems).toMatch(/DOWNSTREAM_REVIEWS_GRPC_SERVICE must list fully-qualified/);
    expect(problems).toMatch(/DOWNSTREAM_REVIEWS_GRPC_MAX_MESSAGE_BYTES must be an integer/);
  });
});
