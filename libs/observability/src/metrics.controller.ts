import cluster from 'node:cluster';
import { BffConfig } from '@app/config';
import { METRICS_REQUEST, METRICS_RESPONSE, Public } from '@app/core';
import {
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Res,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { AggregatorRegistry, register } from 'prom-client';
import { MetricsUnavailableError } from './observability.errors';

/** How long a worker waits for the primary's aggregated metrics. */
const RELAY_TIMEOUT_MS = 5_000;

interface RelayResponse {
  type: string;
  id: number;
  text?: string;
  error?: string;
}

/**
 * Prometheus scrape endpoint over prom-client's default registry (every lib registers there).
 * In a cluster worker the primary aggregates all workers, so any worker answers for the app.
 * Expose it on an internal network only.
 */
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
@Public()
@SkipThrottle()
export class MetricsController {
  private readonly enabled: boolean;
  private nextId = 0;

  constructor(@Inject(BffConfig) config: BffConfig) {
    this.enabled = config.observability.metricsEnabled;
    // Installs prom-client's worker side: it answers the primary's collection requests.
    if (this.enabled && cluster.isWorker) new AggregatorRegistry();
  }

  @Get()
  @Header('cache-control', 'no-store')
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!this.enabled) throw new NotFoundException();
    reply.type(register.contentType);
    return cluster.isWorker && process.send !== undefined ? this.fromPrimary() : register.metrics();
  }

  private fromPrimary(): Promise<string> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const onMessage = (message: RelayResponse): void => {
        if (message?.type !== METRICS_RESPONSE || message.id !== id) return;
        clearTimeout(timer);
        process.off('message', onMessage);
        if (message.text !== undefined) resolve(message.text);
        else reject(new MetricsUnavailableError('Metrics are unavailable'));
      };
      const timer = setTimeout(() => {
        process.off('message', onMessage);
        reject(new MetricsUnavailableError('Metrics are unavailable'));
      }, RELAY_TIMEOUT_MS);
      process.on('message', onMessage);
      process.send?.({ type: METRICS_REQUEST, id });
    });
  }
}
