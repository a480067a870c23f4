import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type CompiledRoute, ROUTE_TABLE } from '@app/routing';

/** What a BFF's OpenAPI document says about itself. */
export interface OpenApiInfo {
  title: string;
  description: string;
  /** Version of the BFF's API (the document's `info.version`). */
  version: string;
  /** Pass-through routes, listed in the description (their shape is the downstream's). */
  routes?: readonly CompiledRoute[];
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
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey, version) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}${version ? `_${version}` : ''}`,
  });
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
