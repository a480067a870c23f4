import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BffConfig } from '@app/config';
import { EventBus, type SseMessage, SseSource } from '@app/events';

/**
 * Brings the orders service's event stream (SSE with ids, `GET /orders/events`) into the live
 * feed's `orders` topic. Every admin-bff instance consumes it (no single point of failure); with
 * Redis the first instance to offer an upstream event publishes it, the others' copies are
 * dropped (keyed by the upstream id). An upstream `reset` (this instance missed events the
 * service no longer holds) becomes `orders.resync`: panels reload what they show.
 */
@Injectable()
export class OrdersFeedSource implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Events');
  private source: SseSource | undefined;

  constructor(
    private readonly bus: EventBus,
    @Inject(BffConfig) private readonly config: BffConfig,
  ) {}

  /** True while the stream is open (readiness of the feed, tests). */
  get connected(): boolean {
    return this.source?.connected === true;
  }

  onApplicationBootstrap(): void {
    const events = this.config.events;
    const base = this.config.downstreams.orders?.urls[0];
    if (!events.enabled || !events.ordersStream || base === undefined) return;
    this.source = new SseSource({
      name: 'orders',
      url: `${base}${events.ordersStreamPath}`,
      backoffMs: events.upstreamBackoffMs,
      onMessage: (message) => this.forward(message),
    });
    this.source.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.source?.close();
  }

  private forward(message: SseMessage): void {
    if (message.event === 'reset') {
      void this.bus.publish({ topic: 'orders', type: 'orders.resync', data: {} });
      return;
    }
    if (!message.event.startsWith('order.')) return;
    let body: { at?: unknown; order?: unknown };
    try {
      body = JSON.parse(message.data) as { at?: unknown; order?: unknown };
    } catch {
      this.logger.warn(`orders stream: event ${message.id ?? '?'} is not JSON; skipped`);
      return;
    }
    void this.bus.publish({
      topic: 'orders',
      type: message.event,
      data: { order: body.order },
      ...(typeof body.at === 'string' ? { at: body.at } : {}),
      ...(message.id === undefined ? {} : { dedupKey: `orders:${message.id}` }),
    });
  }
}
