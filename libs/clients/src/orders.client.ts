import { Injectable } from '@nestjs/common';
import type { Order, OrderStatsByUser, OrderStatus, Page } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';
import type { CallOptions } from './client.types';

const SERVICE = 'orders';

/** Filters and paging of `GET /orders`; absent fields are not sent. */
export interface OrderQuery {
  userId?: string;
  status?: OrderStatus;
  page?: number;
  pageSize?: number;
}

/** A requested status transition. */
export interface OrderStatusChange {
  status: OrderStatus;
  reason?: string;
}

/** The orders service. */
@Injectable()
export class OrdersClient {
  constructor(private readonly downstream: DownstreamClient) {}

  /** One order. */
  byId(id: string, options: CallOptions = {}): Promise<Order> {
    return this.downstream.get<Order>(SERVICE, dpath`/orders/${id}`, options);
  }

  /** A page of orders matching `query`. */
  page(query: OrderQuery, options: CallOptions = {}): Promise<Page<Order>> {
    return this.downstream.get<Page<Order>>(SERVICE, '/orders', {
      ...options,
      query: {
        userId: query.userId,
        status: query.status,
        page: query.page,
        pageSize: query.pageSize,
      },
    });
  }

  /** Order statistics of each of these users. */
  stats(userIds: readonly string[], options: CallOptions = {}): Promise<OrderStatsByUser> {
    return this.downstream.get<OrderStatsByUser>(SERVICE, '/orders/stats', {
      ...options,
      query: { userIds },
    });
  }

  /** Asks for a status transition; the service owns the rules (409 when not allowed). */
  async changeStatus(
    id: string,
    change: OrderStatusChange,
    options: CallOptions = {},
  ): Promise<Order> {
    const res = await this.downstream.request<Order>(SERVICE, {
      ...options,
      method: 'PATCH',
      path: dpath`/orders/${id}/status`,
      body: { status: change.status, reason: change.reason },
    });
    return res.body;
  }

  /**
   * Tag of the downstream cache's copy of `byId(id)`, to purge it after a change: that cache tags
   * each entry `<service>:<path>`.
   */
  byIdCacheTag(id: string): string {
    return `${SERVICE}:${dpath`/orders/${id}`}`;
  }
}
