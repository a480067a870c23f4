import * as grpc from '@grpc/grpc-js';
import { type GrpcServiceDefinition, grpcError } from '../grpc.host';
import type { InventoryRecord, SeedData } from '../seed.types';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_BATCH_IDS = 100;

/** The inventory service's messages (proto3 JSON names, as proto-loader decodes them). */
interface Stock {
  productId: string;
  available: number;
  reserved: number;
  warehouses: { id: string; name: string; quantity: number }[];
  restockDate: { value: string } | null;
  updatedAt: string;
}

function toStock(record: InventoryRecord): Stock {
  return {
    productId: record.productId,
    available: record.available,
    reserved: record.reserved,
    warehouses: record.warehouses.map((w) => ({ id: w.id, name: w.name, quantity: w.quantity })),
    restockDate: record.restockDate === null ? null : { value: record.restockDate },
    updatedAt: record.updatedAt,
  };
}

const invalid = (details: string) => grpcError(grpc.status.INVALID_ARGUMENT, details);
const notFound = (details: string) => grpcError(grpc.status.NOT_FOUND, details);

/** bff.inventory.v1.InventoryService over the seeded inventory (the same records as over HTTP). */
export function inventoryGrpcService(data: SeedData): GrpcServiceDefinition {
  const byProduct = new Map(data.inventory.map((i) => [i.productId, i]));
  let reservations = 0;
  return {
    proto: 'bff/inventory/v1/inventory.proto',
    name: 'bff.inventory.v1.InventoryService',
    handlers: {
      GetStock: (call, callback) => {
        const { productId } = call.request as { productId: string };
        if (!ID.test(productId)) return callback(invalid('product_id is malformed'));
        const record = byProduct.get(productId);
        if (record === undefined)
          return callback(notFound(`No inventory for product ${productId}`));
        callback(null, toStock(record));
      },
      BatchGetStock: (call, callback) => {
        const { productIds } = call.request as { productIds: string[] };
        if (productIds.length === 0 || productIds.length > MAX_BATCH_IDS)
          return callback(invalid(`product_ids needs 1 to ${MAX_BATCH_IDS} ids`));
        if (!productIds.every((id) => ID.test(id))) return callback(invalid('malformed id'));
        // Unknown ids are simply absent, as over HTTP.
        const items = productIds
          .map((id) => byProduct.get(id))
          .filter((i): i is InventoryRecord => i !== undefined)
          .map(toStock);
        callback(null, { items });
      },
      // Checks the request against the stock; holds nothing (the sandbox's data stays seeded).
      ReserveStock: (call, callback) => {
        const { productId, quantity } = call.request as { productId: string; quantity: number };
        if (!ID.test(productId)) return callback(invalid('product_id is malformed'));
        if (quantity < 1) return callback(invalid('quantity must be at least 1'));
        const record = byProduct.get(productId);
        if (record === undefined)
          return callback(notFound(`No inventory for product ${productId}`));
        if (quantity > record.available) {
          return callback(grpcError(grpc.status.FAILED_PRECONDITION, 'not enough stock'));
        }
        reservations++;
        callback(null, {
          reservationId: `rsv_${String(reservations).padStart(6, '0')}`,
          productId,
          quantity,
        });
      },
    },
  };
}
