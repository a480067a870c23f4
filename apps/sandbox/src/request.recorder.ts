import type { IncomingMessage } from 'node:http';
import { SANDBOX_SERVICES, RecordedRequest, SandboxServiceName } from './sandbox.types';

export const RECORDED_REQUESTS_LIMIT = 100;

/** Fixed-size ring: recording stays O(1) per request under benchmark load. */
class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.items.length < this.capacity
      ? [...this.items]
      : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }

  clear(): void {
    this.items.length = 0;
    this.next = 0;
  }
}

/** Hit counters and the last requests of each service. */
export class RequestRecorder {
  private readonly hitCounts = new Map<SandboxServiceName, number>();
  private readonly cancelCounts = new Map<SandboxServiceName, number>();
  private readonly rings = new Map<SandboxServiceName, Ring<RecordedRequest>>();

  constructor() {
    for (const name of SANDBOX_SERVICES) this.rings.set(name, new Ring(RECORDED_REQUESTS_LIMIT));
    this.reset();
  }

  record(service: SandboxServiceName, req: IncomingMessage): void {
    const headers: RecordedRequest['headers'] = {};
    for (const [name, value] of Object.entries(req.headers))
      headers[name] = Array.isArray(value) ? [...value] : value;
    this.recordCall(service, req.method ?? 'GET', req.url ?? '/', headers);
  }

  /** A call that did not come as an IncomingMessage (gRPC: `POST /pkg.Service/Method`, metadata). */
  recordCall(
    service: SandboxServiceName,
    method: string,
    url: string,
    headers: RecordedRequest['headers'],
    peer?: string,
  ): void {
    this.hitCounts.set(service, (this.hitCounts.get(service) ?? 0) + 1);
    const entry: RecordedRequest = { method, url, headers, receivedAt: new Date().toISOString() };
    if (peer !== undefined) entry.peer = peer;
    this.rings.get(service)?.push(entry);
  }

  /** Counts a call its client cancelled before the answer (a gRPC deadline or cancel). */
  recordCancellation(service: SandboxServiceName): void {
    this.cancelCounts.set(service, (this.cancelCounts.get(service) ?? 0) + 1);
  }

  cancellations(service: SandboxServiceName): number {
    return this.cancelCounts.get(service) ?? 0;
  }

  hits(service: SandboxServiceName): number {
    return this.hitCounts.get(service) ?? 0;
  }

  recorded(service: SandboxServiceName): RecordedRequest[] {
    return this.rings.get(service)?.toArray() ?? [];
  }

  reset(): void {
    for (const name of SANDBOX_SERVICES) {
      this.hitCounts.set(name, 0);
      this.cancelCounts.set(name, 0);
      this.rings.get(name)?.clear();
    }
  }
}
