import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { BffConfig, type BffAppName } from '@app/config';
import { BFF_APP_SETUP, BffLifecycle, type BffAppSetup } from '@app/core';
import { EventBus } from './event.bus';
import { MemoryEventBus } from './memory-event.bus';
import { RedisEventBus } from './redis-event.bus';
import { FeedController } from './feed.controller';
import { FeedGate } from './feed.gate';
import { FeedHub } from './feed.hub';
import { FeedSocketServer } from './feed.socket';
import { OpsReporter } from './ops.reporter';
import { EVENTS_APP } from './events.tokens';

/** Options of {@link EventsModule}. */
export interface EventsModuleOptions {
  /** The app publishing (the `source` of its events starts with it). */
  app: BffAppName;
  /**
   * Serve the live feed: `GET /events` (SSE) and the WebSocket endpoint `/events/ws` (admin-bff).
   * Default false: the app only publishes.
   */
  feed?: boolean;
}

const EVENTS_OPTIONS = Symbol('bff.eventsOptions');

/** Wires the feed's WebSocket endpoint and the drain into the app once it is built. */
@Injectable()
class FeedSetup implements BffAppSetup, BeforeApplicationShutdown {
  private socket: FeedSocketServer | undefined;

  constructor(
    private readonly hub: FeedHub,
    private readonly gate: FeedGate,
    private readonly bus: EventBus,
    @Inject(BffConfig) private readonly config: BffConfig,
    private readonly lifecycle: BffLifecycle,
  ) {}

  setup(app: NestFastifyApplication): void {
    this.gate.attach(app.getHttpAdapter().getInstance());
    this.socket = new FeedSocketServer(this.hub, this.gate, this.bus, this.config.events);
    this.socket.attach(app.getHttpServer());
    // Closed with 1001 as the drain starts: clients reconnect to another instance at once.
    this.lifecycle.onDrain(() => this.hub.drain());
  }

  // Before the HTTP server closes: it would wait for every open feed connection.
  beforeApplicationShutdown(): void {
    this.hub.close();
    this.socket?.close();
  }
}

/** Closes the bus (Redis clients, reader loop) last. */
@Injectable()
class EventsLifecycle implements OnApplicationShutdown {
  constructor(private readonly bus: EventBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/**
 * Events of a BFF instance: the bus (Redis Streams across instances, else memory) every lib and
 * app publishes to, and with `feed: true` the live feed (SSE and WebSocket) that delivers them.
 */
@Module({})
export class EventsModule {
  static forRoot(options: EventsModuleOptions): DynamicModule {
    const providers: DynamicModule['providers'] = [
      { provide: EVENTS_OPTIONS, useValue: options },
      { provide: EVENTS_APP, useValue: options.app },
      {
        provide: EventBus,
        inject: [BffConfig],
        useFactory: (config: BffConfig): EventBus => {
          const events = config.events;
          // Unique per instance, several apps of one process (tests) included.
          const source = `${options.app}@${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
          return events.redisUrl === undefined
            ? new MemoryEventBus({
                source,
                historyMs: events.historyMs,
                historyMax: events.historyMax,
              })
            : new RedisEventBus({
                url: events.redisUrl,
                keyPrefix: events.keyPrefix,
                source,
                historyMs: events.historyMs,
                historyMax: events.historyMax,
                commandTimeoutMs: config.redis.commandTimeoutMs,
              });
        },
      },
      EventsLifecycle,
      OpsReporter,
    ];
    if (options.feed === true) {
      providers.push(
        {
          provide: FeedHub,
          inject: [EventBus, BffConfig],
          useFactory: (bus: EventBus, config: BffConfig) =>
            new FeedHub(bus, config.events.maxConnectionsPerPrincipal),
        },
        {
          provide: FeedGate,
          inject: [BffConfig],
          useFactory: (config: BffConfig) =>
            new FeedGate(config.events.reauthMs, config.events.allowedOrigins),
        },
        FeedSetup,
        { provide: BFF_APP_SETUP, useExisting: FeedSetup },
      );
    }
    return {
      module: EventsModule,
      providers,
      controllers: options.feed === true ? [FeedController] : [],
      exports: [EventBus, OpsReporter, ...(options.feed === true ? [FeedHub] : [])],
    };
  }
}
