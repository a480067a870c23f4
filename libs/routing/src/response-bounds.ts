import { BadUpstreamResponseError } from '@app/core';
import type { PassThroughResponse } from '@app/downstream';
import { Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { Transform, type TransformCallback, pipeline } from 'node:stream';
import type { CompiledRoute } from './route-table.types';

export type AbortReason = 'too-large' | 'too-slow';

function abortedCounter(): Counter<string> {
  return (
    (register.getSingleMetric('bff_proxy_responses_aborted_total') as
      Counter<string> | undefined) ??
    new Counter({
      name: 'bff_proxy_responses_aborted_total',
      help: 'Pass-through answers cut off by the route bounds (maxResponseBytes, responseTimeoutMs)',
      labelNames: ['route', 'reason'],
    })
  );
}

const logger = new Logger('RouteProxy');

/**
 * Counts the bytes of a downstream answer and ends it badly (destroyed, so the client sees a
 * truncated answer and never a clean 200) once it passes the route's size or its total time.
 */
class ResponseBound extends Transform {
  private seen = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly route: CompiledRoute,
    timeoutMs: number,
  ) {
    super();
    this.timer = setTimeout(() => this.abort('too-slow'), timeoutMs);
    this.timer.unref();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.route.bounds.maxResponseBytes) {
      this.abort('too-large');
      callback();
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    clearTimeout(this.timer);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    callback(error);
  }

  private abort(reason: AbortReason): void {
    if (this.destroyed) return;
    const name = this.route.settings.name;
    abortedCounter().labels(name, reason).inc();
    logger.warn(
      `route ${name}: downstream answer cut off (${reason === 'too-large' ? `over ${this.route.bounds.maxResponseBytes} bytes` : `not finished within ${this.route.bounds.responseTimeoutMs} ms`})`,
    );
    this.destroy(
      new BadUpstreamResponseError(
        `Downstream ${this.route.service} answer was cut off`,
        this.route.service,
      ),
    );
  }
}

/**
 * The answer with its body bounded by the route (`maxResponseBytes`, `responseTimeoutMs` from the
 * request's arrival); streaming routes are left alone. A declared length over the limit is refused
 * before anything is sent (502).
 */
export function boundResponse(
  route: CompiledRoute,
  res: PassThroughResponse,
  startedAt: number,
): PassThroughResponse {
  if (route.bounds.streaming) return res;
  const declared = Number(res.headers['content-length']);
  if (declared > route.bounds.maxResponseBytes) {
    res.body.destroy();
    abortedCounter().labels(route.settings.name, 'too-large').inc();
    throw new BadUpstreamResponseError(
      `Downstream ${route.service} answer is larger than the route allows`,
      route.service,
    );
  }
  // Whole milliseconds, so the timers of concurrent answers share Node's list for that duration.
  const left = Math.max(
    1,
    Math.ceil(route.bounds.responseTimeoutMs - (performance.now() - startedAt)),
  );
  if (Number.isFinite(declared)) {
    // Sized: the HTTP parser already stops at Content-Length; only the total time needs a watch.
    const body = res.body;
    const timer = setTimeout(() => {
      abortedCounter().labels(route.settings.name, 'too-slow').inc();
      logger.warn(
        `route ${route.settings.name}: downstream answer cut off (not finished within ${route.bounds.responseTimeoutMs} ms)`,
      );
      body.destroy(
        new BadUpstreamResponseError(
          `Downstream ${route.service} answer was cut off`,
          route.service,
        ),
      );
    }, left);
    timer.unref();
    body.once('close', () => clearTimeout(timer));
    return res;
  }
  const bound = new ResponseBound(route, left);
  // pipeline, not pipe: a cut-off (or a client gone) must also release the downstream's answer,
  // or its connection stays in flight, paused, until the pool closes.
  pipeline(res.body, bound, () => undefined);
  return { ...res, body: bound };
}
