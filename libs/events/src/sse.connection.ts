import type { ServerResponse } from 'node:http';
import { type DropReason, FeedConnection } from './feed.connection';
import type { FeedEvent, FeedTopic } from './events.types';

/**
 * A feed client over Server-Sent Events: `id:` is the stream id (the browser's `EventSource`
 * sends it back as `Last-Event-ID` when it reconnects), `event:` the topic, `data:` the event's
 * JSON, the same object WebSocket clients get. A comment line every heartbeat keeps proxies from
 * closing an idle stream and finds dead peers.
 */
export class SseConnection extends FeedConnection {
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    principalKey: string,
    topics: ReadonlySet<FeedTopic>,
    maxBufferBytes: number,
    heartbeatMs: number,
  ) {
    super('sse', principalKey, topics, maxBufferBytes);
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx: do not buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write('retry: 1000\n\n');
    this.heartbeat = setInterval(() => {
      response.write(': heartbeat\n\n');
      if (this.bufferedBytes() > this.maxBufferBytes) this.drop('slow_consumer');
    }, heartbeatMs);
    const gone = (): void => {
      clearInterval(this.heartbeat);
      this.end();
    };
    response.once('close', gone);
    response.once('error', gone);
  }

  protected writeEvent(event: FeedEvent): void {
    this.response.write(
      `id: ${event.id}\nevent: ${event.topic}\ndata: ${JSON.stringify(event)}\n\n`,
    );
  }

  protected writeReset(): void {
    this.response.write(`event: reset\ndata: {"reason":"history_expired"}\n\n`);
  }

  protected bufferedBytes(): number {
    return this.response.writableLength;
  }

  protected terminate(reason: DropReason): void {
    clearInterval(this.heartbeat);
    // A slow consumer's buffer is released at once; otherwise the stream ends cleanly.
    if (reason === 'slow_consumer') this.response.destroy();
    else this.response.end();
  }
}
