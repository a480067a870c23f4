export { ObservabilityModule } from './observability.module';
export type {
  ObservabilityModuleOptions,
  ObservabilityModuleAsyncOptions,
} from './observability.options';
export { ReadinessService } from './readiness.service';
// Other libs' metrics on the shared default registry, registered once per process.
export { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from './metrics.registry';
