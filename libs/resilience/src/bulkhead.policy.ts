import type { ServiceResilienceSettings } from '@app/config';
import type { DownstreamCall, DownstreamProxy, RawResponse } from '@app/downstream';
import {
  BulkheadPolicy,
  TaskCancelledError,
  bulkhead,
  isBulkheadRejectedError,
  isTaskCancelledError,
} from 'cockatiel';
import { cancelledError, refusal } from './attempt.classify';
import { BulkheadFullError } from './resilience.errors';
import type { ServiceMetrics } from './resilience.metrics';

/**
 * The bulkhead of one downstream service (cockatiel's): caps what is really in flight to it and
 * queues a few calls. Its refusals are not failures of the service and are not retried (more load
 * would not help). A queued call leaves the queue when its signal aborts.
 */
export class DownstreamBulkhead {
  private readonly bulkhead: BulkheadPolicy;
  private rejections = 0;

  constructor(
    readonly service: string,
    private readonly settings: ServiceResilienceSettings['bulkhead'],
    metrics: ServiceMetrics,
  ) {
    this.bulkhead = bulkhead(settings.maxConcurrent, settings.queue);
    this.bulkhead.onReject(() => {
      this.rejections++;
      metrics.bulkheadRejections.inc();
    });
  }

  /** Sends `call` through `next` once a slot is free. */
  async execute(call: DownstreamCall, next: DownstreamProxy): Promise<RawResponse> {
    try {
      return await this.run(() => next(call), call.signal);
    } catch (error) {
      if (isBulkheadRejectedError(error)) throw refusal(new BulkheadFullError(this.service));
      if (isTaskCancelledError(error)) throw cancelledError(call, error);
      throw error;
    }
  }

  /** Slots in use and queued calls, for `GET /ops/circuits`. */
  snapshot(): { active: number; queued: number; maxConcurrent: number; queue: number } {
    const { maxConcurrent, queue } = this.settings;
    return {
      active: maxConcurrent - this.bulkhead.executionSlots,
      queued: queue - this.bulkhead.queueSlots,
      maxConcurrent,
      queue,
    };
  }

  /** Calls refused because every slot and queue place was taken. */
  get rejected(): number {
    return this.rejections;
  }

  private run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const inner = this.bulkhead;
    if (inner.executionSlots > 0 || inner.queueSlots <= 0) return inner.execute(fn, signal);
    // Only the queued path pays for a listener: the deadline must not be outlived in the queue.
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new TaskCancelledError());
      signal.addEventListener('abort', onAbort, { once: true });
      inner.execute(fn, signal).then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
