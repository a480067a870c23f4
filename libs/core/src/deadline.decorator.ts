import { SetMetadata } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

export const DEADLINE_METADATA = 'bff:deadline-ms';

/**
 * Key of an endpoint's deadline in its Fastify route config, where the hooks that run before the
 * handler (and before every guard) find it: see `installDeadline`.
 */
export const DEADLINE_ROUTE_CONFIG = 'bffDeadlineMs';

/** A Fastify route config carrying an endpoint deadline. */
export interface RouteDeadlineConfig {
  readonly [DEADLINE_ROUTE_CONFIG]?: number;
}

/** Adds the deadline to a handler's Fastify route config, keeping what `@RouteConfig()` put there. */
function addToRouteConfig(handler: object, ms: number): void {
  const config: unknown = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler);
  Reflect.defineMetadata(
    FASTIFY_ROUTE_CONFIG_METADATA,
    { ...(typeof config === 'object' ? config : {}), [DEADLINE_ROUTE_CONFIG]: ms },
    handler,
  );
}

/**
 * Time budget of an endpoint in milliseconds, counted from the request's arrival: guards
 * (authentication, rate limiting) and the handler share it, and every downstream call gets what is
 * left of it. On a controller it applies to every handler without its own `@Deadline`. Write it
 * above a `@RouteConfig()` of the same handler (which replaces the route config it is kept in).
 */
export function Deadline(ms: number): MethodDecorator & ClassDecorator {
  if (!Number.isInteger(ms) || ms < 1) {
    throw new Error(`@Deadline needs a positive whole number of milliseconds (got ${ms})`);
  }
  const metadata = SetMetadata(DEADLINE_METADATA, ms);
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor !== undefined) {
      metadata(target, key as string | symbol, descriptor);
      addToRouteConfig(descriptor.value as object, ms);
      return descriptor;
    }
    metadata(target as () => void);
    // Class decorators run after method decorators: a handler's own @Deadline is already there.
    const prototype = (target as { prototype?: object }).prototype ?? {};
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (Reflect.getMetadata(DEADLINE_METADATA, handler) === undefined) {
        addToRouteConfig(handler, ms);
      }
    }
    return target;
  }) as MethodDecorator & ClassDecorator;
}
