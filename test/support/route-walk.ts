import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { declaredAuthorization } from '@app/auth';
import { type CompiledRoute, ROUTE_TABLE } from '@app/routing';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, RouteOptions } from 'fastify';

/** One route of an app as Fastify serves it, with the authorization it declares. */
export interface WalkedRoute {
  readonly methods: readonly string[];
  readonly url: string;
  /**
   * `controller`: a Nest handler (guards run); `pass-through`: a routes.json route (guards run,
   * settings from the table); `fastify`: registered on Fastify directly (no Nest guard runs).
   */
  readonly source: 'controller' | 'pass-through' | 'fastify';
  /** `Controller.method`, or the pass-through route's name. */
  readonly handler: string;
  /** `anonymous` / `optional` (public), `required`; undefined for Fastify routes. */
  readonly mode?: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Public, authenticated, roles or scopes said on the route itself (not a module default). */
  readonly declared: boolean;
}

/**
 * Builds an app and lists every route its Fastify instance registers: Nest controllers (found
 * through Nest's `ModulesContainer` by the `Controller.method` name Nest gives each handler),
 * routes.json pass-through routes (their settings from `ROUTE_TABLE`) and routes registered on
 * Fastify directly. The instance is caught at creation through Fastify's
 * `fastify.initialization` diagnostics channel, so no route registered by any lib is missed.
 */
export async function walkRoutes(
  build: () => Promise<NestFastifyApplication>,
): Promise<{ app: NestFastifyApplication; routes: WalkedRoute[] }> {
  const registered: RouteOptions[] = [];
  let caught = false;
  const onInit = (message: unknown) => {
    if (caught) return;
    caught = true;
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (route) => {
      registered.push(route);
    });
  };
  subscribe('fastify.initialization', onInit);
  let app: NestFastifyApplication;
  try {
    app = await build();
  } finally {
    unsubscribe('fastify.initialization', onInit);
  }
  await app.init();

  const reflector = app.get(Reflector);
  const handlers = new Map<string, { controller: object; handler: object }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype?: Record<string, unknown> } | null;
      const prototype = controller?.prototype;
      if (controller === null || prototype === undefined) continue;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name !== 'constructor' && typeof handler === 'function') {
          handlers.set(`${wrapper.name}.${name}`, { controller, handler });
        }
      }
    }
  }
  let table: readonly CompiledRoute[] = [];
  try {
    table = app.get<readonly CompiledRoute[]>(ROUTE_TABLE, { strict: false });
  } catch {
    // An app without declarative routes.
  }

  const routes = registered.map((route): WalkedRoute => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const handlerName = route.handler.name;
    const passThrough = table.find(
      (r) => route.url === r.prefix || route.url.startsWith(`${r.prefix}/`),
    );
    if (passThrough !== undefined && handlerName.startsWith('RouteProxy_')) {
      const { auth, roles = [], scopes = [] } = passThrough.settings;
      return {
        methods,
        url: route.url,
        source: 'pass-through',
        handler: passThrough.settings.name,
        mode: auth === 'public' ? 'optional' : 'required',
        roles,
        scopes,
        declared: auth === 'public' || roles.length > 0 || scopes.length > 0,
      };
    }
    const nest = handlers.get(handlerName);
    if (nest === undefined) {
      return {
        methods,
        url: route.url,
        source: 'fastify',
        handler: handlerName,
        roles: [],
        scopes: [],
        declared: false,
      };
    }
    const declared = declaredAuthorization(reflector, nest.handler, nest.controller);
    return {
      methods,
      url: route.url,
      source: 'controller',
      handler: handlerName,
      mode: declared.mode,
      roles: declared.roles ?? [],
      scopes: declared.scopes,
      declared: declared.declared,
    };
  });
  return { app, routes };
}

/** `GET, HEAD /orders/:id` */
export const describeRoute = (route: WalkedRoute): string =>
  `${route.methods.join(', ')} ${route.url}`;
