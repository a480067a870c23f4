import { Controller, Get, Header } from '@nestjs/common';
import { Scopes } from '@app/auth';
import { type FleetReports, OpsReporter } from '@app/events';
import { type CircuitSnapshot, ResilienceRegistry } from '@app/resilience';

/** Body of `GET /ops/circuits`. */
export interface CircuitsResponse {
  /** False when `RESILIENCE_ENABLED=false`: no policies run and the list is empty. */
  enabled: boolean;
  services: CircuitSnapshot[];
  /**
   * Every BFF instance of every app that reported within 3 × `EVENTS_REPORT_MS`, this one first,
   * each with its breakers and when it reported. `shared: false` (no Redis): this instance only.
   */
  fleet: FleetReports;
}

/** Operations view of every downstream's circuit breaker, retry budget and bulkhead, fleet-wide. */
@Controller('ops')
export class CircuitsController {
  constructor(
    private readonly registry: ResilienceRegistry,
    private readonly reporter: OpsReporter,
  ) {}

  @Get('circuits')
  // Admin only (the module's default role).
  @Scopes('ops:read')
  @Header('cache-control', 'no-store')
  async circuits(): Promise<CircuitsResponse> {
    return {
      enabled: this.registry.enabled,
      services: this.registry.snapshot(),
      fleet: await this.reporter.fleetReports(),
    };
  }
}
