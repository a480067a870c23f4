import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Order } from '../seed.types';

/** One event of the orders service's stream: the order's whole new state. */
export interface OrderEvent {
  /** `<boot epoch ms>-<sequence>`: unique across restarts of the service, ordered within one run. */
  readonly id: string;
  readonly type: 'order.created' | 'order.status_changed';
  readonly at: string;
  readonly order: Order;
}

/** Options of {@link OrderEventLog}. */
export interface OrderEventLogOptions {
  /** Events kept for `Last-Event-ID` resume (oldest dropped first). Default 1000. */
  maxEvents?: number;
  /** Comment line sent on idle streams, so proxies and clients see the stream alive. Default 15 s. */
  heartbeatMs?: number;
}

type Listener = (event: OrderEvent) => void;

/**
 * The orders service's event stream, as a service of that kind would offer it over SSE
 * (`GET /orders/events`): every event has an id, a client resumes with `Last-Event-ID` from a
 * bounded history, and one whose id is older than that history gets `event: reset` (it must
 * reload the orders it shows) before the live events.
 */
export class OrderEventLog {
  private readonly epoch = Date.now();
  private sequence = 0;
  private readonly history: OrderEvent[] = [];
  private readonly listeners = new Set<Listener>();
  readonly maxEvents: number;
  readonly heartbeatMs: number;

  constructor(options: OrderEventLogOptions = {}) {
    this.maxEvents = options.maxEvents ?? 1_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
  }

  publish(type: OrderEvent['type'], order: Order): OrderEvent {
    const event: OrderEvent = {
      id: `${this.epoch}-${++this.sequence}`,
      type,
      at: new Date().toISOString(),
      order: structuredClone(order),
    };
    this.history.push(event);
    if (this.history.length > this.maxEvents) this.history.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /**
   * Events after `lastId`, or 'reset' when `lastId` is not one this run can resume from (another
   * run of the service, or older than the history).
   */
  since(lastId: string | undefined): OrderEvent[] | 'reset' {
    if (lastId === undefined) return [];
    const match = /^(\d+)-(\d+)$/.exec(lastId);
    if (match === null || Number(match[1]) !== this.epoch) return 'reset';
    const seq = Number(match[2]);
    if (seq > this.sequence) return 'reset';
    const oldest = this.history.length === 0 ? this.sequence + 1 : this.seqOf(this.history[0]);
    // Everything after lastId must still be held: the next one is the oldest or later.
    if (seq + 1 < oldest) return 'reset';
    return this.history.filter((e) => this.seqOf(e) > seq);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private seqOf(event: OrderEvent): number {
    return Number(event.id.slice(event.id.indexOf('-') + 1));
  }
}

const frame = (event: OrderEvent): string =>
  `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ at: event.at, order: event.order })}\n\n`;

/** `GET /orders/events`: the SSE endpoint of {@link OrderEventLog}. Register before `/orders/:id`. */
export function registerOrderEventsRoute(app: FastifyInstance, log: OrderEventLog): void {
  app.get('/orders/events', (request, reply: FastifyReply) => {
    const header = request.headers['last-event-id'];
    const missed = log.since(typeof header === 'string' ? header.trim() : undefined);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Clients reconnect after this delay when the stream ends.
    raw.write(`retry: 1000\n\n`);
    if (missed === 'reset') raw.write(`event: reset\ndata: {}\n\n`);
    else for (const event of missed) raw.write(frame(event));
    const unsubscribe = log.subscribe((event) => raw.write(frame(event)));
    const heartbeat = setInterval(() => raw.write(`: heartbeat\n\n`), log.heartbeatMs);
    heartbeat.unref();
    request.raw.socket.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
