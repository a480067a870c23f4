export { ObservabilityModule } from './observability.module';
export type {
  ObservabilityModuleOptions,
  ObservabilityModuleAsyncOptions,
} from './observability.options';
export { ReadinessService } from './readiness.service';
