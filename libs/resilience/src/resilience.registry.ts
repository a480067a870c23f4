import { BffConfig, type DownstreamServiceConfig, type ResilienceConfig } from '@app/config';
import type { DownstreamMiddleware, PolicyLayers } from '@app/downstream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { RESILIENCE_OPTIONS, type ResilienceModuleOptions } from './resilience.options';
import { type CircuitSnapshot, ServicePolicies } from './resilience.policies';

/**
 * The policies of every downstream service, built once from config at start-up. Feed it to the
 * downstream client with `DownstreamModule.forRootAsync({ useFactory: (r) => ({ layers: (s) =>
 * r.layersFor(s) }) })`; read it for `GET /ops/circuits`.
 */
@Injectable()
export class ResilienceRegistry {
  private readonly logger = new Logger('Resilience');
  private readonly services = new Map<string, ServicePolicies>();
  private readonly config: ResilienceConfig;

  constructor(
    @Inject(BffConfig) bffConfig: BffConfig,
    @Inject(RESILIENCE_OPTIONS) private readonly options: ResilienceModuleOptions,
  ) {
    this.config = options.config ?? bffConfig.resilience;
    if (!this.config.enabled) return;
    for (const name of Object.keys(bffConfig.downstreams)) this.policies(name);
  }

  /** Whether policies are applied at all (`RESILIENCE_ENABLED`). */
  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Retry, breaker and bulkhead slots of one service's stack (none when resilience is disabled). */
  layersFor(service: DownstreamServiceConfig): PolicyLayers {
    return this.config.enabled ? this.policies(service.name).layers : {};
  }

  /** The three as one middleware, for a pipeline built by hand (empty when disabled). */
  policiesFor(service: DownstreamServiceConfig): DownstreamMiddleware[] {
    if (!this.config.enabled) return [];
    const policies = this.policies(service.name);
    return [(next) => (call) => policies.execute(call, next)];
  }

  /** The policies of a service, if resilience is enabled. */
  get(service: string): ServicePolicies | undefined {
    return this.services.get(service);
  }

  /** State and counters of every service, in registry order. */
  snapshot(): CircuitSnapshot[] {
    return [...this.services.values()].map((p) => p.snapshot());
  }

  private policies(name: string): ServicePolicies {
    let policies = this.services.get(name);
    if (policies === undefined) {
      const settings = this.config.services[name] ?? this.config.defaults;
      policies = new ServicePolicies(name, settings, {
        random: this.options.random,
        logger: this.logger,
      });
      this.services.set(name, policies);
    }
    return policies;
  }
}
