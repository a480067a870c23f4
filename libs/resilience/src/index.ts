export { ResilienceModule } from './resilience.module';
export type { ResilienceModuleAsyncOptions } from './resilience.module';
export type { ResilienceModuleOptions } from './resilience.options';
export { ResilienceRegistry } from './resilience.registry';
export { ServicePolicies } from './resilience.policies';
export type {
  CircuitSnapshot,
  CircuitStateName,
  ServicePoliciesOptions,
} from './resilience.policies';
export { CircuitOpenError, BulkheadFullError } from './resilience.errors';
export { isRetryableRequest, isUnhealthy } from './attempt.classify';
export { RetryBudget } from './retry.budget';
