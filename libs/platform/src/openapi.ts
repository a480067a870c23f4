import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { declaredAuthorization } from '@app/auth';
import { BffConfig } from '@app/config';
import { type CompiledRoute, ROUTE_TABLE } from '@app/routing';
import { SessionService } from '@app/session';
import { type OperationAccess, completeOpenApiDocument } from './openapi.complete';

/** What a BFF's OpenAPI document says about itself. */
export interface OpenApiInfo {
  title: string;
  description: string;
  /** Version of the BFF's API (the document's `info.version`). */
  version: string;
  /** Pass-through routes, listed in the description (their shape is the downstream's). */
  routes?: readonly CompiledRoute[];
  /** Roles an authenticated route requires when it declares none (the AuthModule's `defaultRoles`). */
  defaultRoles?: readonly string[];
}

function describeRoutes(routes: readonly CompiledRoute[]): string {
  if (routes.length === 0) return '';
  const lines = routes.map((r) => {
    const s = r.settings;
    const access =
      s.auth === 'public'
        ? 'public'
        : `authenticated${s.roles ? `, roles: ${s.roles.join('|')}` : ''}${s.scopes ? `, scopes: ${s.scopes.join(' ')}` : ''}`;
    return `- \`${r.allow} ${r.prefix}/*\` -> service \`${r.service}\`, path \`${r.rewrite ?? r.prefix}/*\` (${access})`;
  });
  return `\n\n## Pass-through routes\n\nForwarded as they are to the downstream service:\n\n${lines.join('\n')}`;
}

/**
 * The app's OpenAPI document, generated from its controllers and DTOs (`@ApiProperty`). Deterministic:
 * the committed `apps/<app>/openapi.json` is this document, checked by `npm run openapi:check`.
 */
export function createOpenApiDocument(
  app: NestFastifyApplication,
  info: OpenApiInfo,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description + describeRoutes(info.routes ?? []))
    .setVersion(info.version)
    .build();
  // Each operation's access, read from the same decorators the auth guard reads.
  const controllers = controllersByName(app);
  const reflector = new Reflector();
  const access = new Map<string, OperationAccess>();
  const doc = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey, version) => {
      const id = `${controllerKey.replace(/Controller$/, '')}_${methodKey}${version ? `_${version}` : ''}`;
      const controller = controllers.get(controllerKey);
      const handler = (controller?.prototype as Record<string, unknown> | undefined)?.[methodKey];
      if (controller !== undefined && typeof handler === 'function') {
        const declared = declaredAuthorization(reflector, handler, controller);
        access.set(id, {
          mode: declared.mode,
          roles: declared.roles ?? (declared.mode === 'required' ? (info.defaultRoles ?? []) : []),
          scopes: declared.scopes,
        });
      }
      return id;
    },
  });
  return completeOpenApiDocument(doc, {
    access,
    routes: info.routes ?? [],
    sessionCookie: sessionOf(app)?.config.cookieName,
    oidcDiscoveryUrl: oidcDiscoveryOf(app),
  });
}

/** The app's controller classes by name (what the operation id factory is given). */
function controllersByName(
  app: NestFastifyApplication,
): Map<string, object & { prototype: unknown }> {
  const out = new Map<string, object & { prototype: unknown }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (object & { prototype: unknown; name: string }) | null;
      if (type !== null && typeof type === 'function') out.set(type.name, type);
    }
  }
  return out;
}

/** Discovery URL of the app's first trusted OIDC issuer, if it trusts one. */
function oidcDiscoveryOf(app: NestFastifyApplication): string | undefined {
  const issuer = app.get(BffConfig, { strict: false }).auth.oidcIssuers[0];
  return issuer === undefined
    ? undefined
    : `${issuer.url.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** The app's SPA session service, when it serves sessions. */
function sessionOf(app: NestFastifyApplication): SessionService | undefined {
  try {
    return app.get(SessionService, { strict: false });
  } catch {
    return undefined;
  }
}

/** The app's pass-through routes, when it imports RoutingModule. */
function routesOf(app: NestFastifyApplication): readonly CompiledRoute[] {
  try {
    return app.get<readonly CompiledRoute[]>(ROUTE_TABLE, { strict: false });
  } catch {
    return [];
  }
}

/** The document of an app with its pass-through routes listed (used by `/docs` and `npm run openapi`). */
export function openApiDocumentOf(app: NestFastifyApplication, info: OpenApiInfo): OpenAPIObject {
  return createOpenApiDocument(app, { ...info, routes: info.routes ?? routesOf(app) });
}

/**
 * Serves the document: Swagger UI at `/docs`, JSON at `/docs/json`. Built on the first request,
 * so start-up does not pay for it.
 */
export function setupOpenApi(app: NestFastifyApplication, info: OpenApiInfo): void {
  SwaggerModule.setup('docs', app, () => openApiDocumentOf(app, info), {
    jsonDocumentUrl: 'docs/json',
    raw: ['json'],
    customSiteTitle: info.title,
  });
}
