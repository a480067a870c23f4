import { Logger } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EventsConfig } from '@app/config';

import type { EventBus } from './event.bus';
import { type FeedTopic, parseTopics } from './events.types';
import { originAllowed, refusedTopics } from './feed.access';
import { FEED_WS_PATH, type FeedGate } from './feed.gate';
import type { FeedHub } from './feed.hub';
import { WsConnection } from './ws.connection';
import { errorBody, refuseUpgrade } from './events.errors';
import { eventsMetrics } from './events.metrics';

/**
 * The feed's WebSocket endpoint (`GET /events/ws?topics=...&lastEventId=...`, upgraded) on the
 * app's own HTTP server, with `ws`. Every check runs before the handshake completes, so a refused
 * client gets a plain HTTP answer with the usual JSON error: origin, topics, credentials (through
 * {@link FeedGate}: the same pipeline as any request), topic access, connections per caller.
 */
export class FeedSocketServer {
  private readonly logger = new Logger('Events');
  private readonly wss: WebSocketServer;

  constructor(
    private readonly hub: FeedHub,
    private readonly gate: FeedGate,
    private readonly bus: EventBus,
    private readonly config: EventsConfig,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxMessageBytes,
      // Compression would hold a zlib context per idle connection.
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== FEED_WS_PATH) {
        // Another endpoint's upgrade listener may take it; alone, this one answers.
        if (server.listenerCount('upgrade') === 1) {
          refuseUpgrade(socket, 404, errorBody(404, 'NOT_FOUND', 'No WebSocket endpoint here'));
        }
        return;
      }
      socket.on('error', () => socket.destroy());
      this.upgrade(request, socket, head).catch((error: unknown) => {
        this.logger.warn(`WebSocket connect failed: ${(error as Error).message}`);
        refuseUpgrade(socket, 500, errorBody(500, 'INTERNAL', 'Internal error'));
      });
    });
  }

  close(): void {
    this.wss.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, body: string, headers?: Record<string, string>): void => {
      eventsMetrics().refusals.inc({ transport: 'ws', status: String(status) });
      refuseUpgrade(socket, status, body, headers);
    };
    if (this.hub.isDraining) {
      return refuse(503, errorBody(503, 'DRAINING', 'Shutting down: connect to another instance'), {
        'retry-after': '1',
      });
    }
    if (!originAllowed(request.headers, this.config.allowedOrigins)) {
      return refuse(403, errorBody(403, 'ORIGIN_NOT_ALLOWED', 'This origin may not open the feed'));
    }
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const parsed = parseTopics(query.get('topics') ?? undefined);
    if ('unknown' in parsed) {
      return refuse(
        400,
        errorBody(400, 'UNKNOWN_TOPIC', `Unknown topics: ${parsed.unknown.join(', ') || '(none)'}`),
      );
    }
    const topics: FeedTopic[] = parsed.topics;
    const credentials = this.gate.credentialsOf(request.headers, request.socket.remoteAddress);
    const checked = await this.gate.check(credentials);
    if (!checked.ok) return refuse(checked.status, checked.body, checked.headers);
    const refused = refusedTopics(checked.principal, topics);
    if (refused !== undefined) {
      return refuse(403, errorBody(403, 'INSUFFICIENT_SCOPE', refused.message));
    }
    const key = `${checked.principal.kind}:${checked.principal.subject}`;
    if (!this.hub.hasRoomFor(key)) {
      return refuse(
        429,
        errorBody(429, 'TOO_MANY_FEED_CONNECTIONS', 'Too many feed connections for this caller'),
        { 'retry-after': '5' },
      );
    }
    const lastEventId = query.get('lastEventId') ?? request.headers['last-event-id'];
    await this.bus.ready();
    if (socket.destroyed) return;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new WsConnection(ws, key, new Set(topics), {
        maxBufferBytes: this.config.maxBufferBytes,
        heartbeatMs: this.config.heartbeatMs,
        maxMessagesPerSecond: this.config.maxMessagesPerSecond,
      });
      this.hub.add(connection);
      this.gate.watch(connection, credentials, topics, checked.expiresAt);
      connection.send({
        type: 'ready',
        topics,
        instance: this.bus.source,
        shared: this.bus.shared,
      });
      void resume(this.bus, typeof lastEventId === 'string' ? lastEventId : undefined, topics).then(
        (missed) => connection.start(missed),
        () => connection.start('reset'),
      );
    });
  }
}

/** The events missed since `lastEventId` (undefined: a first connect), counted as a hit or miss. */
export async function resume(
  bus: EventBus,
  lastEventId: string | undefined,
  topics: readonly FeedTopic[],
): Promise<Awaited<ReturnType<EventBus['since']>> | undefined> {
  if (lastEventId === undefined || lastEventId === '') return undefined;
  const missed = await bus.since(lastEventId, topics);
  eventsMetrics().resumes.inc({ result: missed === 'reset' ? 'miss' : 'hit' });
  return missed;
}
