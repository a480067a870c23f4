import { readFileSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { type OpenApiInfo, openApiDocumentOf } from '@app/platform';
import { type CompiledRoute, ROUTE_TABLE } from '@app/routing';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { ADMIN_BFF_OPENAPI } from '../apps/admin-bff/src/admin-bff.openapi';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { MOBILE_BFF_OPENAPI } from '../apps/mobile-bff/src/mobile-bff.openapi';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { WEB_BFF_OPENAPI } from '../apps/web-bff/src/web-bff.openapi';
import { type WalkedRoute, walkRoutes } from './support/route-walk';
import {
  type AppFactory,
  type Json,
  type Sandbox,
  sandboxEnv,
  startSandbox,
} from './support/stack';

const APPS: [string, AppFactory, OpenApiInfo][] = [
  ['web-bff', createWebBff, WEB_BFF_OPENAPI],
  ['mobile-bff', createMobileBff, MOBILE_BFF_OPENAPI],
  ['admin-bff', createAdminBff, ADMIN_BFF_OPENAPI],
];

/** `/orders/:id` -> `/orders/{id}`; a pass-through wildcard -> `{path}`. */
const openApiPath = (url: string, prefixes: readonly string[]): string => {
  const prefix = prefixes.find((p) => url === p || url.startsWith(`${p}/`));
  if (prefix !== undefined) return `${prefix}/{path}`;
  return url.replace(/:([A-Za-z]\w*)/g, '{$1}');
};

/** The documented operation's access, in the terms of route-walk.ts. */
function documentedAccess(op: Json) {
  const security: Record<string, string[]>[] = op.security;
  return {
    mode:
      security.length === 0
        ? 'anonymous'
        : security.some((s) => Object.keys(s).length === 0)
          ? 'optional'
          : 'required',
    roles: op['x-required-roles'] ?? [],
    scopes: op['x-required-scopes'] ?? [],
    // The OpenID Connect requirement lists the same scopes (the standard place in OpenAPI 3.0).
    oidcScopes: security.find((s) => 'oidc' in s)?.oidc ?? op['x-required-scopes'] ?? [],
  };
}

describe('OpenAPI completeness', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it.each(APPS)(
    '%s documents every route it serves, with its access and errors',
    async (name, factory, info) => {
      const config = loadConfig(sandboxEnv(sandbox));
      let app: NestFastifyApplication | undefined;
      try {
        const walked = await walkRoutes(() => factory(config));
        app = walked.app;
        const doc: Json = openApiDocumentOf(app, info);
        const table = app.get<readonly CompiledRoute[]>(ROUTE_TABLE, { strict: false });
        const prefixes = table.map((r) => r.prefix);
        // A pass-through route answers other methods with 405: only its own are operations.
        const allowed = (route: WalkedRoute, method: string) =>
          route.source !== 'pass-through' ||
          (table.find((r) => r.settings.name === route.handler)?.methods.has(method) ?? false);
        const served = walked.routes.filter(
          (r: WalkedRoute) => !r.url.startsWith('/docs') && r.methods.some((m) => m !== 'OPTIONS'),
        );
        expect(served.length).toBeGreaterThan(5);
        const missing: string[] = [];
        for (const route of served) {
          const path = openApiPath(route.url, prefixes);
          for (const method of route.methods.filter((m) => m !== 'OPTIONS' && allowed(route, m))) {
            // Fastify adds HEAD to every GET; only pass-through routes document it.
            if (method === 'HEAD' && route.source !== 'pass-through') continue;
            const op = doc.paths[path]?.[method.toLowerCase()];
            if (op === undefined) {
              missing.push(`${method} ${path}`);
              continue;
            }
            if (route.source !== 'fastify') {
              expect({ route: `${method} ${path}`, ...documentedAccess(op) }).toEqual({
                route: `${method} ${path}`,
                mode: route.mode,
                // Routes that declare no roles get the module's default ones (admin-bff).
                roles:
                  route.roles.length === 0 && route.mode === 'required'
                    ? (info.defaultRoles ?? [])
                    : route.roles,
                scopes: route.scopes,
                oidcScopes: route.scopes,
              });
            }
            if (!['/health/live', '/health/ready', '/metrics'].includes(path)) {
              expect(op.responses['429']).toEqual({
                $ref: '#/components/responses/TooManyRequests',
              });
            }
          }
        }
        expect(missing).toEqual([]);
        expect(doc.components.schemas.ErrorBody.required).toEqual([
          'statusCode',
          'error',
          'code',
          'message',
        ]);
        expect(doc.components.securitySchemes.bearer).toMatchObject({
          type: 'http',
          scheme: 'bearer',
        });
        expect(doc.components.securitySchemes.apiKey).toMatchObject({
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
        });
        // What `npm run openapi` committed (defaults only) is what the code generates.
        const committed = JSON.parse(readFileSync(`apps/${name}/openapi.json`, 'utf8'));
        expect(Object.keys(committed.paths).sort()).toEqual(Object.keys(doc.paths).sort());
      } finally {
        await app?.close();
      }
    },
  );

  it('web-bff documents the session endpoints and the cookie + CSRF scheme', async () => {
    const web = JSON.parse(readFileSync('apps/web-bff/openapi.json', 'utf8'));
    expect(Object.keys(web.paths)).toEqual(
      expect.arrayContaining([
        '/auth/login',
        '/auth/callback',
        '/auth/user',
        '/auth/logout',
        '/auth/backchannel-logout',
        '/api/v1/catalog/{path}',
        '/orders',
        '/products',
      ]),
    );
    expect(web.components.securitySchemes.sessionCookie).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'bff-session' }),
    );
    expect(web.components.securitySchemes.csrfHeader).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-CSRF' }),
    );
    expect(web.paths['/auth/user'].get.security).toEqual([{ sessionCookie: [], csrfHeader: [] }]);
    expect(web.paths['/orders'].get.security).toEqual(
      expect.arrayContaining([{ sessionCookie: [], csrfHeader: [] }, { bearer: [] }]),
    );
    const admin = JSON.parse(readFileSync('apps/admin-bff/openapi.json', 'utf8'));
    expect(admin.paths['/orders/{id}/status'].patch).toMatchObject({
      'x-required-roles': ['admin'],
      'x-required-scopes': ['orders:write'],
      // The admin panel's cookie session counts too (with its X-CSRF header).
      security: [
        { oidc: ['orders:write'] },
        { bearer: [] },
        { apiKey: [] },
        { sessionCookie: [], csrfHeader: [] },
      ],
    });
    expect(admin.components.securitySchemes.oidc).toMatchObject({
      type: 'openIdConnect',
      openIdConnectUrl: expect.stringMatching(/\/\.well-known\/openid-configuration$/),
    });
  });
});
