import type { WebSocket } from 'ws';
import { CLOSE_CODES, type DropReason, FeedConnection } from './feed.connection';
import type { FeedEvent, FeedTopic } from './events.types';

/** Limits of inbound WebSocket traffic. */
export interface WsLimits {
  maxBufferBytes: number;
  heartbeatMs: number;
  maxMessagesPerSecond: number;
}

/** After a close frame, how long the peer has to answer before its socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;

/**
 * A feed client over WebSocket. Outbound: `{"type":"event","event":{...}}` (the event object SSE
 * clients get as `data:`), `{"type":"reset"}` when a resume is too old. Inbound: only
 * `{"type":"ping"}` (answered `{"type":"pong"}`), bounded by size (ws' `maxPayload`: 1009) and
 * rate (a token bucket: 1008). The server pings every heartbeat; a peer that did not answer the
 * previous ping is dropped.
 */
export class WsConnection extends FeedConnection {
  private readonly heartbeat: NodeJS.Timeout;
  private alive = true;
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly socket: WebSocket,
    principalKey: string,
    topics: ReadonlySet<FeedTopic>,
    private readonly limits: WsLimits,
  ) {
    super('ws', principalKey, topics, limits.maxBufferBytes);
    this.tokens = limits.maxMessagesPerSecond * 2;
    socket.on('pong', () => (this.alive = true));
    socket.on('message', (data, isBinary) => this.receive(data.toString(), isBinary));
    socket.on('error', () => {
      // ws closes with 1009 itself on an oversized message and then reports it here.
      this.end();
    });
    socket.once('close', () => {
      clearInterval(this.heartbeat);
      this.end();
    });
    this.heartbeat = setInterval(() => {
      if (!this.alive) return this.drop('heartbeat');
      this.alive = false;
      socket.ping();
    }, limits.heartbeatMs);
  }

  /** Sends a control message (hello, pong, errors). */
  send(message: unknown): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  protected writeEvent(event: FeedEvent): void {
    this.send({ type: 'event', event });
  }

  protected writeReset(): void {
    this.send({ type: 'reset', reason: 'history_expired' });
  }

  protected bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  protected terminate(reason: DropReason): void {
    clearInterval(this.heartbeat);
    if (reason === 'heartbeat') return this.socket.terminate();
    this.socket.close(CLOSE_CODES[reason], reason);
    // A peer that does not read never gets the close frame: its socket goes after a grace time.
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private receive(text: string, isBinary: boolean): void {
    if (!this.take()) return this.drop('inbound_rate');
    let message: { type?: unknown } | undefined;
    try {
      message = isBinary ? undefined : (JSON.parse(text) as { type?: unknown });
    } catch {
      message = undefined;
    }
    if (message?.type === 'ping') return this.send({ type: 'pong' });
    this.send({
      type: 'error',
      code: 'UNKNOWN_MESSAGE',
      message: 'Only {"type":"ping"} is accepted',
    });
  }

  private take(): boolean {
    const now = Date.now();
    const rate = this.limits.maxMessagesPerSecond;
    this.tokens = Math.min(rate * 2, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
