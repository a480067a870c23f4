import { Public } from '@app/core';
import { Controller, Get, Header, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { type ReadinessReport, ReadinessService } from './readiness.service';

/** Probes of orchestrators and load balancers; outside URI versioning, credentials and rate limits. */
@Controller({ path: 'health', version: VERSION_NEUTRAL })
@Public()
@SkipThrottle()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: 200 as long as the process serves HTTP (a failing dependency is not a reason to restart). */
  @Get('live')
  @Header('cache-control', 'no-store')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: 503 while draining or when a critical downstream or a Redis that some use needs
   * (fail-closed) does not answer; 200 `degraded` when only fail-open dependencies are down.
   */
  @Get('ready')
  @Header('cache-control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    if (report.status !== 'ok' && report.status !== 'degraded') reply.status(503);
    return report;
  }
}
