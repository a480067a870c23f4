import { All, Controller, Inject, Req, Res, Type, VERSION_NEUTRAL } from '@nestjs/common';
import { Public } from '@app/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RouteProxy } from './route-proxy.service';
import type { CompiledRoute } from './route-table.types';
import { ROUTE_CONFIG_KEY } from './routing.hooks';

/**
 * One Nest controller per declarative route, so the global guards (auth, throttling) and
 * interceptors run before the proxy exactly as for hand-written endpoints. The compiled route
 * rides on the Fastify route config: finding it per request is a property read.
 */
export function createRouteController(route: CompiledRoute): Type<unknown> {
  @ApiExcludeController()
  @Controller({ path: route.prefix, version: VERSION_NEUTRAL })
  class RouteProxyController {
    constructor(@Inject(RouteProxy) private readonly proxy: RouteProxy) {}

    @All()
    @RouteConfig({ [ROUTE_CONFIG_KEY]: route })
    root(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
      return this.proxy.forward(route, request, reply);
    }

    @All('*')
    @RouteConfig({ [ROUTE_CONFIG_KEY]: route })
    below(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
      return this.proxy.forward(route, request, reply);
    }
  }
  // Public routes let anonymous callers through the auth guard but still verify a presented
  // credential (the canary split and the downstream identity use it).
  if (route.settings.auth === 'public') Public({ optionalAuth: true })(RouteProxyController);
  Object.defineProperty(RouteProxyController, 'name', {
    value: `RouteProxyController_${route.settings.name.replace(/-/g, '_')}`,
  });
  return RouteProxyController;
}
