import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClientIpResolver } from './client-ip';
import { RateLimitedError } from './rate-limit.errors';
import { compilePolicy } from './rate-limit.headers';
import { rateLimitMetrics } from './rate-limit.metrics';
import type { RateLimitStore } from './rate-limit.store';
import type { ResolvedThrottlingOptions } from './throttling.options';
import type { BucketPolicy, RateLimitDecision } from './throttling.types';
import { isUnlimitedPath } from './unlimited-paths';

/** Set on a request once the tier limit (the throttler guard) has seen it, whatever it decided. */
export const TIER_CHECKED = Symbol('bff.rateLimit.tierChecked');

interface Marked {
  [TIER_CHECKED]?: true;
}

/** Marks a request as accounted for by the tier limit: the gate never charges it again. */
export function markTierChecked(request: object): void {
  (request as Marked)[TIER_CHECKED] = true;
}

interface Block {
  readonly until: number;
  readonly violated: string;
}

export interface AddressGateOptions {
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * The rate limit that runs before authentication, by client address.
 *
 * Every request a BFF refuses before it reaches the tier limit (missing, malformed or forged
 * credentials, a key that does not exist, a role or scope missing, a CSRF refusal, an unknown
 * route, a malformed body) is charged one token to its address's *refused* bucket, which has the
 * anonymous tier's limits. While that bucket is empty the address is refused with 429 before any
 * credential is looked at: no token verification, no JWKS fetch, no API-key or session lookup, no
 * downstream call. Requests that pass authentication spend from their own tier bucket as before
 * (anonymous callers from their address's anonymous bucket), so verified callers, including
 * `internal` ones, keep their tier's limits and never hold tokens of the address.
 *
 * The check before authentication is a local lookup (no store call on the hot path): the address
 * is blocked until the store said a token is back (`Retry-After` of the refusing decision). With a
 * shared store the bucket is shared; each instance learns an address is blocked from its own first
 * refusal.
 */
export class AddressGate {
  private readonly blocks = new Map<string, Block>();
  private readonly ips: ClientIpResolver;
  private readonly policy: BucketPolicy;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly logger: Pick<Logger, 'warn'>;
  private storeWarned = false;

  constructor(
    private readonly store: RateLimitStore,
    private readonly settings: ResolvedThrottlingOptions,
    options: AddressGateOptions = {},
  ) {
    const { config } = settings;
    this.ips = new ClientIpResolver(config.trustedProxies, config.trustedProxyHeader);
    this.policy = compilePolicy(
      config.tiers.anonymous,
      config.burstWindowSeconds,
      config.sustainedWindowSeconds,
      config.redisFailureMode,
    );
    this.maxKeys = Math.max(1, config.memoryMaxKeys);
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? new Logger('RateLimit');
  }

  /**
   * The gate in front of a Fastify instance: the check runs in `preParsing`, after every
   * `onRequest` hook (request context, CORS, security headers, so a 429 carries them) and before
   * the body is read, the session is resolved or any guard runs. The charge runs as the refusal is
   * sent (`onSend`, awaited): the client's next request already finds the address blocked.
   */
  install(fastify: FastifyInstance): void {
    if (!this.settings.config.enabled) return;
    fastify.addHook('preParsing', (request, reply, payload, done) => {
      const refusal = this.check(request, reply);
      if (refusal === undefined) done(null, payload);
      else done(refusal);
    });
    // A callback hook: only a charged refusal waits for the store; every other answer goes on
    // without a promise and a microtask turn.
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (!this.shouldCharge(request, reply.statusCode)) return done(null, payload);
      this.chargeRefused(request).then(
        () => done(null, payload),
        () => done(null, payload),
      );
    });
  }

  /** The refusal of a request from a blocked address, else undefined. */
  check(request: FastifyRequest, reply: FastifyReply): RateLimitedError | undefined {
    if (this.blocks.size === 0 || isUnlimitedPath(request.url)) return undefined;
    const address = this.addressOf(request);
    const block = this.blocks.get(address);
    if (block === undefined) return undefined;
    const left = block.until - this.now();
    if (left <= 0) {
      this.blocks.delete(address);
      return undefined;
    }
    // Answered here: the tier limit never sees it, and a refusal of the gate is never charged.
    markTierChecked(request);
    reply.header('ratelimit-policy', this.policy.policyHeader);
    rateLimitMetrics.limited.inc({ tier: 'pre-auth' });
    return new RateLimitedError(block.violated, left);
  }

  /** Charges one refused request to its address; blocks the address when the bucket is empty. */
  async chargeRefused(request: FastifyRequest): Promise<RateLimitDecision | undefined> {
    const address = this.addressOf(request);
    let decision: RateLimitDecision;
    try {
      decision = await this.store.consume(
        `${this.settings.namespace}:refused:ip:${address}`,
        this.policy,
        1,
      );
    } catch (error) {
      // A closed failure mode with the store down: nothing to learn, the request is answered.
      if (!this.storeWarned) {
        this.storeWarned = true;
        this.logger.warn(`refused requests not counted: ${(error as Error).message}`);
      }
      return undefined;
    }
    if (!decision.allowed) this.block(address, decision);
    return decision;
  }

  /** Milliseconds an address is still refused before authentication (0: not blocked). */
  blockedFor(address: string): number {
    const block = this.blocks.get(address);
    return block === undefined ? 0 : Math.max(0, block.until - this.now());
  }

  /** Addresses currently remembered as blocked (bounded by `RATE_LIMIT_MEMORY_MAX_KEYS`). */
  get size(): number {
    return this.blocks.size;
  }

  /**
   * A client error the tier limit never saw, on a limited path. Not a 429 (the gate's own, or the
   * connection cap's) nor a 426: an outdated mobile app is no abuse, and many of them behind one
   * carrier NAT must not block the up-to-date ones.
   */
  private shouldCharge(request: FastifyRequest, status: number): boolean {
    return (
      status >= 400 &&
      status < 500 &&
      status !== 429 &&
      status !== 426 &&
      (request as Marked)[TIER_CHECKED] !== true &&
      !isUnlimitedPath(request.url)
    );
  }

  private block(address: string, decision: RateLimitDecision): void {
    if (!this.blocks.delete(address) && this.blocks.size >= this.maxKeys) {
      const oldest = this.blocks.keys().next().value;
      if (oldest !== undefined) this.blocks.delete(oldest);
    }
    this.blocks.set(address, {
      until: this.now() + Math.max(1, decision.retryAfterMs),
      violated: decision.violated ?? 'burst',
    });
  }

  /** The bucket key part of the client address (IPv6 per /64), as the tier limit keys anonymous callers. */
  private addressOf(request: FastifyRequest): string {
    const ip = this.ips.fromRequest(
      request.raw?.socket?.remoteAddress ?? request.ip,
      request.headers,
    );
    return ClientIpResolver.trackerOf(ip);
  }
}
