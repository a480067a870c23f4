import type { EventBus } from './event.bus';
import type { FeedConnection, FeedTransport } from './feed.connection';
import { eventsMetrics } from './events.metrics';

/**
 * The open feed connections of one instance: fan-out of the bus's events to them, the limit of
 * connections per caller, and the drain (every connection closed with 1001 at shutdown).
 */
export class FeedHub {
  private readonly connections = new Set<FeedConnection>();
  private readonly perPrincipal = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private draining = false;

  constructor(
    readonly bus: EventBus,
    private readonly maxPerPrincipal: number,
  ) {
    this.unsubscribe = bus.subscribe((event) => {
      for (const connection of this.connections) connection.offer(event);
    });
  }

  get size(): number {
    return this.connections.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Whether `principalKey` may open one more connection here. */
  hasRoomFor(principalKey: string): boolean {
    return !this.draining && (this.perPrincipal.get(principalKey) ?? 0) < this.maxPerPrincipal;
  }

  add(connection: FeedConnection): void {
    this.connections.add(connection);
    const key = connection.principalKey;
    this.perPrincipal.set(key, (this.perPrincipal.get(key) ?? 0) + 1);
    eventsMetrics().connections.inc({ transport: connection.transport });
    connection.onEnd(() => {
      if (!this.connections.delete(connection)) return;
      const left = (this.perPrincipal.get(key) ?? 1) - 1;
      if (left === 0) this.perPrincipal.delete(key);
      else this.perPrincipal.set(key, left);
      eventsMetrics().connections.dec({ transport: connection.transport });
    });
  }

  /** Open connections of one caller (`<kind>:<subject>`). */
  countFor(principalKey: string): number {
    return this.perPrincipal.get(principalKey) ?? 0;
  }

  count(transport?: FeedTransport): number {
    let n = 0;
    for (const c of this.connections) if (transport === undefined || c.transport === transport) n++;
    return n;
  }

  /** Shutdown: refuses new connections and closes open ones with 1001, so clients go elsewhere. */
  drain(): void {
    this.draining = true;
    for (const connection of [...this.connections]) connection.drop('shutdown');
  }

  close(): void {
    this.drain();
    this.unsubscribe();
  }
}
