import { Logger } from '@nestjs/common';
import { eventsMetrics } from './events.metrics';

/** One event read from an upstream SSE stream. */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** Options of {@link SseSource}. */
export interface SseSourceOptions {
  /** Stream name in logs and metrics. */
  name: string;
  url: string;
  /** First and longest reconnect delay (exponential with full jitter in between). */
  backoffMs: { min: number; max: number };
  /** No byte (event or heartbeat comment) for this long: the stream is taken as dead. */
  idleTimeoutMs?: number;
  onMessage(message: SseMessage): void;
}

/** Waits `ms`, or less when `signal` aborts (its listener removed either way: no leak per retry). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * A consumer of a service's Server-Sent Events stream that never gives up: it reconnects after
 * any end or failure with exponential backoff and full jitter, sends the last id it saw as
 * `Last-Event-ID` (the service replays what was missed, or sends `event: reset`), and treats a
 * stream silent past `idleTimeoutMs` as dead. (The WHATWG `EventSource` in undici stops for good
 * on a non-200 answer and has a fixed retry delay.)
 */
export class SseSource {
  private readonly logger = new Logger('Events');
  private readonly abort = new AbortController();
  private lastId: string | undefined;
  private running: Promise<void> | undefined;
  connected = false;

  constructor(private readonly options: SseSourceOptions) {}

  start(): void {
    this.running ??= this.run();
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    const metrics = eventsMetrics().upstream;
    while (!this.abort.signal.aborted) {
      const received = await this.connect().then(
        (n) => {
          metrics.inc({ stream: this.options.name, outcome: 'ended' });
          return n;
        },
        (error: unknown) => {
          if (this.abort.signal.aborted) return 0;
          metrics.inc({ stream: this.options.name, outcome: 'failed' });
          if (attempt === 0) {
            this.logger.warn(
              `event stream "${this.options.name}" unavailable (${(error as Error).message}); reconnecting with backoff`,
            );
          }
          return -1;
        },
      );
      this.connected = false;
      if (this.abort.signal.aborted) break;
      // A stream that delivered something starts the backoff over.
      attempt = received > 0 ? 0 : attempt + 1;
      const { min, max } = this.options.backoffMs;
      const ceiling = Math.min(max, min * 2 ** Math.min(attempt, 20));
      await sleep(attempt === 0 ? min : min + Math.random() * (ceiling - min), this.abort.signal);
    }
  }

  /** One connection; resolves with the number of events read when the stream ends. */
  private async connect(): Promise<number> {
    const idle = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, idle.signal]);
    const idleMs = this.options.idleTimeoutMs ?? 60_000;
    let timer = setTimeout(() => idle.abort(new Error('idle stream')), idleMs);
    const touch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new Error('idle stream')), idleMs);
    };
    try {
      const response = await fetch(this.options.url, {
        headers: {
          accept: 'text/event-stream',
          ...(this.lastId === undefined ? {} : { 'last-event-id': this.lastId }),
        },
        signal,
      });
      const type = response.headers.get('content-type') ?? '';
      if (
        response.status !== 200 ||
        !type.startsWith('text/event-stream') ||
        response.body === null
      ) {
        await response.body?.cancel();
        throw new Error(`status ${response.status} (${type || 'no content type'})`);
      }
      this.connected = true;
      eventsMetrics().upstream.inc({ stream: this.options.name, outcome: 'connected' });
      let count = 0;
      let buffer = '';
      let fields: { id?: string; event?: string; data: string[] } = { data: [] };
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        touch();
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (fields.data.length > 0 || fields.event !== undefined) {
              if (fields.id !== undefined) this.lastId = fields.id;
              count++;
              this.options.onMessage({
                id: fields.id,
                event: fields.event ?? 'message',
                data: fields.data.join('\n'),
              });
            }
            fields = { data: [] };
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'data') fields.data.push(value);
          else if (name === 'event') fields.event = value;
          else if (name === 'id' && !value.includes('\0')) fields.id = value;
        }
      }
      return count;
    } finally {
      clearTimeout(timer);
    }
  }
}
