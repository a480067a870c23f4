export { ResilienceModule } from './resilience.module';
export type { ResilienceModuleOptions, ResilienceModuleAsyncOptions } from './resilience.options';
export { ResilienceRegistry } from './resilience.registry';
export type { CircuitSnapshot } from './resilience.policies';
