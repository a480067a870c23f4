import { Injectable } from '@nestjs/common';
import type { Inventory, Items } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';
import type { CallOptions } from './client.types';

const SERVICE = 'inventory';

/** The inventory service: stock per product. */
@Injectable()
export class InventoryClient {
  constructor(private readonly downstream: DownstreamClient) {}

  /** Stock of one product. */
  stockOf(productId: string, options: CallOptions = {}): Promise<Inventory> {
    return this.downstream.get<Inventory>(SERVICE, dpath`/inventory/${productId}`, options);
  }

  /** Stock of several products in one call. */
  stock(productIds: readonly string[], options: CallOptions = {}): Promise<Items<Inventory>> {
    return this.downstream.get<Items<Inventory>>(SERVICE, '/inventory', {
      ...options,
      query: { productIds },
    });
  }
}
