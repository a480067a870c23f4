import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import type { FaultRegistry, FaultSettings } from './faults';
import type { RequestRecorder } from './request.recorder';
import type { SandboxServiceName } from './sandbox.types';

export interface FaultHookOptions {
  service: SandboxServiceName;
  faults: FaultRegistry;
  recorder: RequestRecorder;
  /** Source of the fault dice; tests may pin it. */
  random?: () => number;
}

/** Most chunks a slow body is cut into. */
const SLOW_BODY_CHUNKS = 5;

/**
 * Sends the status and headers at once, then the body in chunks spread evenly over `durationMs`.
 * Timers die with the stream, which Fastify destroys when the client goes away.
 */
export class TrickleStream extends Readable {
  private readonly pieces: Buffer[] = [];
  private pending: NodeJS.Timeout | undefined;
  private sent = 0;
  private started = false;

  constructor(
    private readonly res: ServerResponse,
    body: Buffer,
    private readonly durationMs: number,
  ) {
    super();
    const count = Math.max(1, Math.min(SLOW_BODY_CHUNKS, body.length));
    const size = Math.ceil(body.length / count);
    for (let i = 0; i < body.length; i += size) this.pieces.push(body.subarray(i, i + size));
  }

  override _read(): void {
    if (this.started) return;
    this.started = true;
    // Fastify has set the status and headers by the time the stream is read.
    if (!this.res.headersSent) this.res.flushHeaders();
    this.schedule();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.pending);
    callback(error);
  }

  private schedule(): void {
    this.pending = setTimeout(this.pushNext, this.durationMs / Math.max(1, this.pieces.length));
  }

  private readonly pushNext = (): void => {
    this.pending = undefined;
    if (this.sent < this.pieces.length) this.push(this.pieces[this.sent++]);
    if (this.sent >= this.pieces.length) this.push(null);
    else this.schedule();
  };
}

/**
 * Not counted, recorded nor faulted: health probes, and the orders event stream, which the admin
 * BFFs hold open all the time (its reconnects would otherwise show in every test's hit counts). An
 * outage still cuts the stream.
 */
const EXEMPT: ReadonlySet<string | undefined> = new Set(['/health', '/orders/events']);
const isHealth = (request: FastifyRequest): boolean => EXEMPT.has(request.routeOptions.url);

/**
 * Counts and records each request, then applies the service's faults in order:
 * reset -> latency -> error -> normal answer (with a slow body when set). Outage is handled by
 * the listener (see ServiceHost). `/health` and `/orders/events` are exempt from all of it.
 */
export function installFaultHooks(app: FastifyInstance, options: FaultHookOptions): void {
  const { service, faults, recorder } = options;
  const random = options.random ?? Math.random;
  const injected = new WeakSet<FastifyRequest>();

  const afterLatency = (
    settings: Readonly<FaultSettings>,
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void => {
    if (settings.errorRate > 0 && random() < settings.errorRate) {
      injected.add(request);
      // Answering without calling done() ends the lifecycle here.
      void reply.code(settings.errorStatus).send({
        error: 'injected_fault',
        message: `Injected ${settings.errorStatus} from the ${service} sandbox`,
        service,
      });
      return;
    }
    done();
  };

  app.addHook('onRequest', (request, reply, done) => {
    if (isHealth(request)) return done();
    recorder.record(service, request.raw);
    const settings = faults.get(service);

    if (settings.resetRate > 0 && random() < settings.resetRate) {
      reply.hijack();
      // RST rather than FIN, so clients see ECONNRESET as with a crashed upstream.
      request.raw.socket.resetAndDestroy();
      return;
    }

    const delay = settings.latencyMs + (settings.jitterMs > 0 ? random() * settings.jitterMs : 0);
    if (delay <= 0) return afterLatency(settings, request, reply, done);

    const res = reply.raw;
    // The client gave up: drop the timer and the request, there is nobody left to answer.
    const onClose = (): void => clearTimeout(timer);
    const timer = setTimeout(() => {
      res.removeListener('close', onClose);
      afterLatency(settings, request, reply, done);
    }, delay);
    res.once('close', onClose);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const durationMs = faults.get(service).slowBodyMs;
    if (
      durationMs <= 0 ||
      isHealth(request) ||
      injected.has(request) ||
      request.method === 'HEAD' ||
      (typeof payload !== 'string' && !Buffer.isBuffer(payload))
    ) {
      return done(null, payload);
    }
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (body.length === 0) return done(null, payload);
    void reply.header('content-length', body.length);
    done(null, new TrickleStream(reply.raw, body, durationMs));
  });
}
