import type { DownstreamServiceConfig, UpstreamBalancingConfig } from '@app/config';
import { Pool } from 'undici';
import { type BalancedInstance, type CallOutcome, InstanceBalancer } from '../balancer';
import type { DownstreamCall, DownstreamTransport, RawResponse } from '../downstream.types';
import { toTransportError } from './transport-errors';

interface Instance {
  pool: Pool;
  /** Path prefix of the base URL, prepended to every call. */
  prefix: string;
}

/** Statuses that count against an instance's health (the gateway-failure family). */
const UNHEALTHY_STATUS = new Set([502, 503, 504]);
const EMPTY = Buffer.alloc(0);

const DEFAULT_BALANCING: UpstreamBalancingConfig = {
  strategy: 'round-robin',
  ejectAfterFailures: 5,
  ejectMs: 10_000,
  canaryUrls: [],
};

/**
 * The hot-path transport: one keep-alive undici Pool per instance of a service, balanced with
 * passive health checks; a separate balanced set for the service's canary instances.
 */
export class UndiciTransport implements DownstreamTransport {
  readonly kind = 'undici';
  readonly primary: InstanceBalancer<Instance>;
  readonly canary: InstanceBalancer<Instance> | undefined;

  constructor(
    service: DownstreamServiceConfig,
    balancing: UpstreamBalancingConfig = DEFAULT_BALANCING,
  ) {
    const instances = (urls: readonly string[]) =>
      urls.map((u) => {
        const url = new URL(u);
        const target: Instance = {
          pool: new Pool(url.origin, {
            connections: service.connections,
            keepAliveTimeout: 30_000,
            // The per-call AbortSignal carries the real budget; these are only a backstop.
            headersTimeout: service.timeoutMs,
            bodyTimeout: service.timeoutMs,
          }),
          prefix: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
        };
        return { target, label: url.origin };
      });
    this.primary = new InstanceBalancer(service.name, instances(service.urls), balancing);
    this.canary =
      balancing.canaryUrls.length === 0
        ? undefined
        : new InstanceBalancer(service.name, instances(balancing.canaryUrls), balancing);
  }

  readonly send = async (call: DownstreamCall): Promise<RawResponse> => {
    const balancer = call.canary === true && this.canary !== undefined ? this.canary : this.primary;
    const instance = balancer.acquire();
    if (call.passThrough === true) return this.stream(call, balancer, instance);
    let outcome: CallOutcome = 'failure';
    try {
      const res = await instance.target.pool.request({
        method: call.method,
        path: instance.target.prefix + call.path,
        headers: call.headers,
        body: call.body,
        signal: call.signal,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      outcome = UNHEALTHY_STATUS.has(res.statusCode) ? 'failure' : 'success';
      return { status: res.statusCode, headers: res.headers, body };
    } catch (error) {
      outcome = this.failureOutcome(call);
      throw toTransportError(error, call);
    } finally {
      balancer.release(instance, outcome);
    }
  };

  /**
   * Pass-through: the request body streams up, the response body is handed back unread. The budget
   * bounds the wait for the response head only: the deadline layer clears its timer and drops the
   * caller's listener as soon as this returns, so the call's signal cannot fire during the body,
   * which then flows under the pool's bodyTimeout (longest silence between chunks) and is not cut
   * at the endpoint deadline. (A second controller per call, detached after the head, cost an
   * AbortController and two listener changes per request for the same behaviour.)
   */
  private async stream(
    call: DownstreamCall,
    balancer: InstanceBalancer<Instance>,
    instance: BalancedInstance<Instance>,
  ): Promise<RawResponse> {
    try {
      const res = await instance.target.pool.request({
        method: call.method,
        path: instance.target.prefix + call.path,
        headers: call.headers,
        body: call.body,
        signal: call.signal,
      });
      const outcome: CallOutcome = UNHEALTHY_STATUS.has(res.statusCode) ? 'failure' : 'success';
      // Pending until the body is done, so least-pending sees long downloads.
      res.body.once('close', () => balancer.release(instance, outcome));
      return { status: res.statusCode, headers: res.headers, body: EMPTY, stream: res.body };
    } catch (error) {
      balancer.release(instance, this.failureOutcome(call));
      throw toTransportError(error, call);
    }
  }

  /** A caller giving up says nothing about the instance; anything else is its failure. */
  private failureOutcome(call: DownstreamCall): CallOutcome {
    return call.callerSignal?.aborted === true ? 'neutral' : 'failure';
  }

  async close(): Promise<void> {
    const all = [...this.primary.instances, ...(this.canary?.instances ?? [])];
    await Promise.all(all.map((i) => i.target.pool.close()));
  }
}
