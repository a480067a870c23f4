import { badRequest, conflict, notFound } from '../http.util';
import { ORDER_STATUSES, Money, Order, OrderHistoryEntry, OrderStatus } from '../seed.types';
import { ORDER_TRANSITIONS, canTransition, isOrderStatus } from './orders.rules';

export interface OrderStats {
  count: number;
  totalSpent: Money;
  lastOrderAt: string | null;
}

/** Statuses whose total counts as money spent (the customer paid and was not refunded). */
const SPENDING_STATUSES: ReadonlySet<OrderStatus> = new Set(['paid', 'shipped', 'delivered']);

/**
 * Orders of one sandbox, mutable for the process lifetime. Holds its own copy so status changes
 * never leak into the shared seed or into other sandboxes.
 */
export class OrdersStore {
  /** Newest first; createdAt never changes, so the order holds across status changes. */
  private readonly newestFirst: Order[];
  private readonly byId: Map<string, Order>;
  private readonly byUser = new Map<string, Order[]>();

  constructor(
    seedOrders: readonly Order[],
    private readonly knownUserIds: ReadonlySet<string>,
  ) {
    this.newestFirst = structuredClone([...seedOrders]).sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
    );
    this.byId = new Map(this.newestFirst.map((o) => [o.id, o]));
    for (const order of this.newestFirst) {
      const list = this.byUser.get(order.userId);
      if (list === undefined) this.byUser.set(order.userId, [order]);
      else list.push(order);
    }
  }

  list(filter: { status?: OrderStatus; userId?: string } = {}): Order[] {
    const source =
      filter.userId === undefined ? this.newestFirst : (this.byUser.get(filter.userId) ?? []);
    return filter.status === undefined
      ? [...source]
      : source.filter((o) => o.status === filter.status);
  }

  get(id: string): Order | undefined {
    return this.byId.get(id);
  }

  /** Stats of each known user (unknown ids are left out, like other batch endpoints). */
  stats(userIds: readonly string[]): Record<string, OrderStats> {
    const out: Record<string, OrderStats> = {};
    for (const userId of userIds) {
      if (!this.knownUserIds.has(userId)) continue;
      const orders = this.byUser.get(userId) ?? [];
      let cents = 0;
      for (const order of orders) {
        if (SPENDING_STATUSES.has(order.status)) cents += Math.round(order.total.amount * 100);
      }
      out[userId] = {
        count: orders.length,
        totalSpent: { amount: cents / 100, currency: 'EUR' },
        lastOrderAt: orders[0]?.createdAt ?? null,
      };
    }
    return out;
  }

  /**
   * Applies a status change. Throws 400 for an unknown status, 404 for an unknown order and 409
   * for a transition the rules forbid.
   */
  changeStatus(
    id: string,
    status: unknown,
    by: string,
    reason?: string,
    now: number = Date.now(),
  ): Order {
    if (!isOrderStatus(status)) {
      throw badRequest(
        `status must be one of ${ORDER_STATUSES.join(', ')} (got ${JSON.stringify(status)})`,
      );
    }
    const order = this.byId.get(id);
    if (order === undefined) throw notFound(`Order ${id} not found`);
    if (!canTransition(order.status, status)) {
      const allowed = ORDER_TRANSITIONS[order.status];
      throw conflict(
        `Order ${id} cannot go from ${order.status} to ${status}` +
          (allowed.length > 0
            ? ` (allowed: ${allowed.join(', ')})`
            : ` (${order.status} is final)`),
      );
    }
    // Strictly after the previous update, even within the same millisecond.
    const at = new Date(Math.max(now, Date.parse(order.updatedAt) + 1)).toISOString();
    const entry: OrderHistoryEntry = { status, at, by };
    if (reason !== undefined) entry.reason = reason;
    order.status = status;
    order.updatedAt = at;
    order.history.push(entry);
    return order;
  }
}
