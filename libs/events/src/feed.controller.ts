import { Controller, Get, Headers, Inject, Query, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import {
  ApiOperation,
  ApiProduces,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
} from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BffConfig } from '@app/config';
import { InsufficientScopeError, Roles, Scopes } from '@app/auth';
import { EventBus } from './event.bus';
import { parseTopics } from './events.types';
import { originAllowed, refusedTopics, tokenExpiry } from './feed.access';
import { FEED_CHECK_HEADER, FeedGate, type FeedCheckBody } from './feed.gate';
import { FeedHub } from './feed.hub';
import { SseConnection } from './sse.connection';
import { resume } from './feed.socket';
import {
  FeedDrainingError,
  OriginNotAllowedError,
  TooManyFeedConnectionsError,
  UnknownTopicError,
  UpgradeRequiredError,
} from './events.errors';
import { eventsMetrics } from './events.metrics';

/** `GET /events` query. */
export class FeedQueryDto {
  /** Comma-separated topics (`orders`, `ops`); default every topic the caller may read. */
  @ApiPropertyOptional({ type: String, example: 'orders,ops' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topics?: string;

  /** Resume after this event id (the `Last-Event-ID` header wins). */
  @ApiPropertyOptional({ type: String, example: '1764563000000-0' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,16}-\d{1,16}$/, { message: 'lastEventId must be an event id (<ms>-<seq>)' })
  lastEventId?: string;
}

/**
 * The live admin feed over SSE (`GET /events`), and the check route of the WebSocket endpoint
 * (`GET /events/ws`, see {@link FeedGate}). Support staff may connect (orders:read); each topic
 * has its own roles and scopes on top (TOPIC_ACCESS).
 */
@Controller({ path: 'events', version: VERSION_NEUTRAL })
// The feed's base: who may read orders may connect; `ops` also needs admin and ops:read.
@Roles('admin', 'support')
@Scopes('orders:read')
export class FeedController {
  constructor(
    private readonly hub: FeedHub,
    private readonly gate: FeedGate,
    private readonly bus: EventBus,
    @Inject(BffConfig) private readonly config: BffConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Live admin feed (Server-Sent Events)',
    description:
      'Events of the requested topics as `id:` (stream id), `event:` (topic), `data:` (event JSON). ' +
      'Reconnect with `Last-Event-ID` to get the missed events, or `event: reset` when too old. ' +
      'With the session cookie (EventSource): no `X-CSRF`, but an `Origin` from `EVENTS_ALLOWED_ORIGINS` ' +
      '(or `Sec-Fetch-Site: same-origin`), else 403 `ORIGIN_NOT_ALLOWED`.',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream' })
  async stream(
    @Query() query: FeedQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const events = this.config.events;
    if (this.hub.isDraining)
      throw new FeedDrainingError('Shutting down: connect to another instance');
    if (!originAllowed(request.headers, events.allowedOrigins)) {
      throw new OriginNotAllowedError('This origin may not open the feed');
    }
    const parsed = parseTopics(query.topics);
    if ('unknown' in parsed) {
      throw new UnknownTopicError(`Unknown topics: ${parsed.unknown.join(', ') || '(none)'}`);
    }
    const principal = request.bffContext.principal!;
    const refused = refusedTopics(principal, parsed.topics);
    if (refused !== undefined) throw new InsufficientScopeError(refused.message, refused.scopes);
    const key = `${principal.kind}:${principal.subject}`;
    if (!this.hub.hasRoomFor(key)) {
      throw new TooManyFeedConnectionsError('Too many feed connections for this caller');
    }
    const header = request.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header.trim() : query.lastEventId;
    const credentials = this.gate.sentCredentials(request);
    // The stream opens once this instance follows the shared stream: a client told it is
    // connected must get every event published after that.
    await this.bus.ready();
    reply.hijack();
    const raw = reply.raw;
    // Headers the hooks set (CORS for the admin panel's credentialed EventSource, security
    // headers) are written by Fastify only for replies it sends; this one is hijacked.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) raw.setHeader(name, value);
    }
    const requestId = request.bffContext.requestId;
    raw.setHeader('x-request-id', requestId);
    // The request's own timeouts do not apply to a stream that lives for hours.
    request.raw.socket.setTimeout(0);
    const connection = new SseConnection(
      raw,
      key,
      new Set(parsed.topics),
      events.maxBufferBytes,
      events.heartbeatMs,
    );
    this.hub.add(connection);
    this.gate.watch(
      connection,
      credentials,
      parsed.topics,
      tokenExpiry(request.headers.authorization),
    );
    await resume(this.bus, lastEventId, parsed.topics).then(
      (missed) => connection.start(missed),
      () => connection.start('reset'),
    );
  }

  // Documented for the handshake it is; the GET itself is the gate's in-process check.
  @Get('ws')
  @ApiOperation({
    summary: 'Live admin feed (WebSocket)',
    description:
      'Open as a WebSocket (`Upgrade: websocket`): `{"type":"ready"}` first, then ' +
      '`{"type":"event","event":{...}}` (the SSE payload). Resume with `?lastEventId=`. ' +
      'With the session cookie: no `X-CSRF`, an `Origin` from `EVENTS_ALLOWED_ORIGINS`. A plain GET is 426.',
  })
  @ApiQuery({ name: 'topics', required: false, type: String, example: 'orders,ops' })
  @ApiQuery({ name: 'lastEventId', required: false, type: String, example: '1764563000000-0' })
  @ApiResponse({ status: 101, description: 'Switching to the WebSocket protocol' })
  @ApiResponse({ status: 426, description: 'Not a WebSocket handshake' })
  check(
    @Req() request: FastifyRequest,
    @Headers(FEED_CHECK_HEADER) secret: string | undefined,
  ): FeedCheckBody {
    // Only the gate's own in-process requests carry this process's secret.
    if (secret !== this.gate.secret) {
      eventsMetrics().refusals.inc({ transport: 'ws', status: '426' });
      throw new UpgradeRequiredError('Open this endpoint as a WebSocket (Upgrade: websocket)');
    }
    return {
      principal: request.bffContext.principal!,
      expiresAt: tokenExpiry(request.headers.authorization),
    };
  }
}
