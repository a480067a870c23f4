import type { BffConfig } from '@app/config';

/**
 * What a multi-worker start should warn about, one line each: state that each worker would keep
 * for itself although the operator may expect it shared. Empty with one worker.
 */
export function clusterWarnings(config: BffConfig): string[] {
  const workers = config.observability.workers;
  if (workers <= 1) return [];
  const warnings: string[] = [];
  const { rateLimit } = config;
  if (rateLimit.enabled && rateLimit.store === 'memory') {
    warnings.push(
      `BFF_WORKERS=${workers} with the memory rate-limit store: each worker keeps its own ` +
        `counters, so a client gets up to ${workers}x every limit (burst, sustained, daily quota); ` +
        'set REDIS_URL (RATE_LIMIT_STORE=redis) to share them',
    );
  }
  return warnings;
}
