import { Controller, Get, Header } from '@nestjs/common';
import { Scopes } from '@app/auth';
import { type CircuitSnapshot, ResilienceRegistry } from '@app/resilience';

/** Body of `GET /ops/circuits`. */
export interface CircuitsResponse {
  /** False when `RESILIENCE_ENABLED=false`: no policies run and the list is empty. */
  enabled: boolean;
  services: CircuitSnapshot[];
}

/** Operations view of every downstream's circuit breaker, retry budget and bulkhead. */
@Controller('ops')
export class CircuitsController {
  constructor(private readonly registry: ResilienceRegistry) {}

  @Get('circuits')
  // Admin only (the module's default role).
  @Scopes('ops:read')
  @Header('cache-control', 'no-store')
  circuits(): CircuitsResponse {
    return { enabled: this.registry.enabled, services: this.registry.snapshot() };
  }
}
