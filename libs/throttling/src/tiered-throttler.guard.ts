import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { LimitedTier } from '@app/config';
import { HttpRouteContext, RequestContextStore, type Tier } from '@app/core';
import type { FastifyRequest } from 'fastify';
import { markTierChecked } from './address-gate.hook';
import { ClientIpResolver } from './client-ip';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.decorator';
import { RateLimitCostTooHighError, RateLimitedError } from './rate-limit.errors';
import { compilePolicy, formatRateLimit } from './rate-limit.headers';
import { rateLimitMetrics } from './rate-limit.metrics';
import { RateLimitStore } from './rate-limit.store';
import { THROTTLING_OPTIONS, type ResolvedThrottlingOptions } from './throttling.options';
import type { BucketPolicy } from './throttling.types';
import { isUnlimitedPath } from './unlimited-paths';

/** Who is calling: the caller's tier and what identifies it (`user:<sub>`, `ip:<address>`). */
export interface Caller {
  readonly tier: Tier;
  readonly identity: string;
}

interface RouteLimits {
  readonly weight: number;
  /** `all` for the caller's app-wide buckets, else the route's own bucket name. */
  readonly scope: string;
  readonly policies: Readonly<Record<LimitedTier, BucketPolicy>>;
}

const TIERS: readonly LimitedTier[] = ['anonymous', 'standard', 'premium'];

/**
 * The @nestjs/throttler guard with a tiered token-bucket check in place of its fixed window:
 * the stock guard still resolves skips (`@SkipThrottle`/`@SkipRateLimit`) and calls the hooks;
 * `handleRequest` takes the tokens from the caller's burst and sustained buckets and daily quota in
 * one store call, sets the IETF `RateLimit-Policy`/`RateLimit` fields and throws a typed 429.
 * Route settings are compiled on a route's first request and cached.
 *
 * It runs after authentication, so it sees the verified caller. What is refused before it (failed
 * or missing credentials...) is limited by the {@link AddressGate}, which runs before
 * authentication; a request this guard has seen is never charged there.
 */
@Injectable()
export class TieredThrottlerGuard extends ThrottlerGuard {
  private readonly routes = new WeakMap<object, RouteLimits>();
  private readonly defaults: RouteLimits;
  private readonly ips: ClientIpResolver;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(RateLimitStore) private readonly store: RateLimitStore,
    @Inject(THROTTLING_OPTIONS) private readonly settings: ResolvedThrottlingOptions,
  ) {
    super(options, storage, reflector);
    this.ips = new ClientIpResolver(
      settings.config.trustedProxies,
      settings.config.trustedProxyHeader,
    );
    this.defaults = this.compileRoute({}, 'all');
  }

  override canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() === 'http') markTierChecked(context.switchToHttp().getRequest<object>());
    // A declarative route (@app/routing's native Fastify route) carries no throttler metadata:
    // the stock guard's walk (a dozen metadata lookups and four awaits per request) finds nothing
    // there, so the check itself runs directly, with the same skip rule and the same charge.
    if (context instanceof HttpRouteContext) return this.admitRoute(context);
    return super.canActivate(context);
  }

  private async admitRoute(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    return this.charge(context, (tracker) => this.generateKey(context, tracker));
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.settings.config.enabled || context.getType() !== 'http') return true;
    return isUnlimitedPath(context.switchToHttp().getRequest<FastifyRequest>().url);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, throttler, generateKey } = props;
    return this.charge(context, (tracker) =>
      generateKey(context, tracker, throttler.name ?? 'default'),
    );
  }

  /**
   * Takes the request's weight from its caller's buckets (`key` of the `<tier>:<caller>` tracker;
   * a declarative route may force a tier, e.g. a stricter one, whoever the caller is); sets the
   * RateLimit fields; throws a typed 429.
   */
  private async charge(
    context: ExecutionContext,
    key: (tracker: string) => string,
  ): Promise<boolean> {
    const { req: raw, res } = this.getRequestResponse(context);
    const req = raw as FastifyRequest;
    const caller = this.resolveCaller(req);
    const tier = req.bffContext?.route?.tier ?? caller.tier;
    if (tier === 'internal') return true;
    const route = this.routeLimits(context);
    const policy = route.policies[tier];
    const weight = this.weightOf(req, route);
    const decision = await this.store.consume(key(`${tier}:${caller.identity}`), policy, weight);
    this.setResponseHeader(res, 'RateLimit-Policy', policy.policyHeader);
    this.setResponseHeader(res, 'RateLimit', formatRateLimit(policy, decision));
    if (!decision.allowed) {
      rateLimitMetrics.limited.inc({ tier });
      if (decision.overCapacity) {
        throw new RateLimitCostTooHighError(decision.violated ?? 'burst', weight);
      }
      throw new RateLimitedError(decision.violated ?? 'burst', decision.retryAfterMs);
    }
    return true;
  }

  /**
   * Tier and identity of the caller, from the verified principal the auth lib put on the request;
   * without one the caller is anonymous and keyed by client address. Override to resolve tiers
   * differently.
   */
  protected resolveCaller(req: FastifyRequest): Caller {
    const principal = req.bffContext?.principal ?? RequestContextStore.current()?.principal;
    if (principal !== undefined && principal.tier !== 'anonymous') {
      return { tier: principal.tier, identity: `${principal.kind}:${principal.subject}` };
    }
    const ip = this.ips.fromRequest(req.raw?.socket?.remoteAddress ?? req.ip, req.headers);
    return { tier: 'anonymous', identity: `ip:${ClientIpResolver.trackerOf(ip)}` };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- signature of the base hook
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const caller = this.resolveCaller(req as unknown as FastifyRequest);
    return `${caller.tier}:${caller.identity}`;
  }

  /** `<namespace>:<scope>:<tier>:<caller>`: readable, no hashing on the hot path. */
  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return `${this.settings.namespace}:${this.routeLimits(context).scope}:${tracker}`;
  }

  /** Cost of this request: the routing table's weight for pass-through routes, else the route's. */
  private weightOf(req: FastifyRequest, route: RouteLimits): number {
    const weight = req.bffContext?.route?.weight;
    return typeof weight === 'number' && weight >= 1 ? Math.ceil(weight) : route.weight;
  }

  private routeLimits(context: ExecutionContext): RouteLimits {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (route === undefined) {
      const onClass = this.reflector.get<RateLimitOptions | undefined>(
        RATE_LIMIT_OPTIONS,
        context.getClass(),
      );
      const onHandler = this.reflector.get<RateLimitOptions | undefined>(
        RATE_LIMIT_OPTIONS,
        handler,
      );
      const options: RateLimitOptions = { ...onClass, ...onHandler };
      const ownBuckets = options.tiers !== undefined || options.bucket !== undefined;
      const scope = ownBuckets
        ? (options.bucket ?? `${context.getClass().name}.${handler.name}`)
        : 'all';
      route = this.compileRoute(options, scope);
      this.routes.set(handler, route);
    }
    return route;
  }

  private compileRoute(options: RateLimitOptions, scope: string): RouteLimits {
    const { config } = this.settings;
    const failureMode = options.onStoreFailure ?? config.redisFailureMode;
    const policies = {} as Record<LimitedTier, BucketPolicy>;
    for (const tier of TIERS) {
      const limits = { ...config.tiers[tier], ...options.tiers?.[tier] };
      const same =
        this.defaults !== undefined &&
        options.tiers?.[tier] === undefined &&
        failureMode === config.redisFailureMode;
      policies[tier] = same
        ? this.defaults.policies[tier]
        : compilePolicy(
            limits,
            config.burstWindowSeconds,
            config.sustainedWindowSeconds,
            failureMode,
          );
    }
    return { weight: options.weight ?? 1, scope, policies };
  }
}
