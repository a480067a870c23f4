import type { DownstreamServiceConfig } from '@app/config';
import type { DownstreamMiddleware } from './downstream.types';

/** Options of {@link DownstreamModule}. */
export interface DownstreamModuleOptions {
  /**
   * Policies wrapped around every call of a service (retry, breaker, bulkhead...), outermost first.
   * Called once per service at start-up, so stateful policies are shared by all its calls.
   */
  policies?: (service: DownstreamServiceConfig) => DownstreamMiddleware[];
}

export const DOWNSTREAM_OPTIONS = Symbol('DownstreamModuleOptions');
