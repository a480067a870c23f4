import type { CompiledRoute } from '@app/routing';
import type {
  OpenAPIObject,
  OperationObject,
  PathItemObject,
  ResponseObject,
  ResponsesObject,
  SecurityRequirementObject,
} from '@nestjs/swagger';

/** Who may call an operation, as its decorators (or its route in routes.json) declare. */
export interface OperationAccess {
  mode: 'anonymous' | 'optional' | 'required';
  /** Any one of these roles; empty for none. */
  roles: readonly string[];
  /** All of these scopes; empty for none. */
  scopes: readonly string[];
}

/** What the document is completed with, beyond what Nest derives from controllers. */
export interface OpenApiFacts {
  /** Access of each controller operation, by operationId. */
  access: ReadonlyMap<string, OperationAccess>;
  /** Pass-through routes (apps/<app>/routes.json). */
  routes: readonly CompiledRoute[];
  /** Name of the session cookie when the app serves SPA sessions (`/auth/*`). */
  sessionCookie?: string;
  /** Discovery document of the trusted OIDC issuer, whose tokens carry the scopes. */
  oidcDiscoveryUrl?: string;
}

/** What the app accepts besides bearer tokens and API keys. */
interface Credentials {
  session: boolean;
  oidc: boolean;
}

const ERROR_RESPONSES: Record<string, { name: string; description: string }> = {
  '400': { name: 'BadRequest', description: 'Invalid parameters, body, fields or cursor' },
  '401': { name: 'Unauthorized', description: 'Missing, invalid or revoked credentials' },
  '403': {
    name: 'Forbidden',
    description: 'A role or scope is missing (`INSUFFICIENT_SCOPE`), or the CSRF header',
  },
  '404': { name: 'NotFound', description: 'No such resource (or not the caller’s)' },
  '429': { name: 'TooManyRequests', description: 'Rate limited; see `Retry-After`, `RateLimit`' },
  '502': { name: 'BadGateway', description: 'A downstream service answered unusably' },
  '503': { name: 'ServiceUnavailable', description: 'A downstream service is unavailable' },
  '504': { name: 'GatewayTimeout', description: 'The request ran out of time downstream' },
};

function errorComponents(): Pick<Required<OpenAPIObject>['components'], 'schemas' | 'responses'> {
  const responses: Record<string, ResponseObject> = {};
  for (const { name, description } of Object.values(ERROR_RESPONSES)) {
    responses[name] = {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
    };
  }
  return {
    schemas: {
      ErrorBody: {
        type: 'object',
        description: 'The body of every error answer (never a stack trace).',
        required: ['statusCode', 'error', 'code', 'message'],
        properties: {
          statusCode: { type: 'number', example: 404 },
          error: { type: 'string', example: 'Not Found' },
          code: {
            type: 'string',
            description: 'Stable machine-readable code',
            example: 'NOT_FOUND',
          },
          message: { type: 'string' },
          requestId: { type: 'string', description: 'Also in `X-Request-Id`' },
          details: { description: 'Per-field problems of a 400, when known' },
        },
      },
    },
    responses,
  };
}

function securityOf(access: OperationAccess, accepted: Credentials): SecurityRequirementObject[] {
  if (access.mode === 'anonymous') return [];
  // An OpenID Connect scheme is the one of OpenAPI 3.0 whose requirements list scopes.
  const credentials: SecurityRequirementObject[] = [
    ...(accepted.oidc ? [{ oidc: [...access.scopes] }] : []),
    { bearer: [] },
    { apiKey: [] },
  ];
  if (accepted.session) credentials.push({ sessionCookie: [], csrfHeader: [] });
  // `{}`: the call may also be anonymous.
  return access.mode === 'optional' ? [{}, ...credentials] : credentials;
}

function withAccess(
  op: OperationObject,
  path: string,
  access: OperationAccess,
  accepted: Credentials,
): OperationObject {
  const session = accepted.session;
  const rules: string[] = [];
  if (access.roles.length > 0) rules.push(`one of the roles ${access.roles.join(', ')}`);
  if (access.scopes.length > 0) rules.push(`the scopes ${access.scopes.join(' ')}`);
  const codes: string[] = [];
  if (INFRASTRUCTURE.has(path)) {
    // Probes and metrics: answered by the BFF itself, never rate limited or sent downstream.
    if (path === '/health/ready') codes.push('503');
  } else {
    codes.push('429', '502', '503', '504');
    if ((op.parameters?.length ?? 0) > 0 || op.requestBody !== undefined) codes.push('400');
    // With sessions, a cookie without `X-CSRF` is a 401 on any route.
    if (access.mode !== 'anonymous' || session) codes.push('401');
    if (access.mode === 'required') codes.push('403');
    if (path.includes('{')) codes.push('404');
  }
  const responses: ResponsesObject = { ...op.responses };
  for (const code of codes.sort()) {
    responses[code] ??= { $ref: `#/components/responses/${ERROR_RESPONSES[code].name}` };
  }
  return {
    ...op,
    ...(rules.length > 0
      ? {
          description: [op.description, `Requires ${rules.join(' and ')}.`]
            .filter(Boolean)
            .join('\n\n'),
        }
      : {}),
    responses,
    security: securityOf(access, accepted),
    // Also here: the `oidc` requirement lists the scopes, but not the roles nor for API keys.
    ...(access.roles.length > 0 ? { 'x-required-roles': [...access.roles] } : {}),
    ...(access.scopes.length > 0 ? { 'x-required-scopes': [...access.scopes] } : {}),
  } as OperationObject;
}

const INFRASTRUCTURE = new Set(['/health/live', '/health/ready', '/metrics']);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function sessionPaths(): Record<string, PathItemObject> {
  const json = (description: string, schema: object) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const redirect = { description: 'Redirect (`Location`)' };
  const loggedOut = json('Session ended', {
    type: 'object',
    properties: { loggedOut: { type: 'boolean', example: true } },
  });
  return {
    '/auth/login': {
      get: {
        operationId: 'Session_login',
        tags: ['Session'],
        summary: 'Starts the OIDC code flow with PKCE (a browser navigation)',
        parameters: [
          {
            name: 'returnTo',
            in: 'query',
            required: false,
            description: 'Where to go after login: a configured SPA origin',
            schema: { type: 'string' },
          },
        ],
        responses: { '302': redirect },
      },
    },
    '/auth/callback': {
      get: {
        operationId: 'Session_callback',
        tags: ['Session'],
        summary: 'The identity provider returns here; sets the httpOnly session cookie',
        responses: { '302': redirect },
      },
    },
    '/auth/user': {
      get: {
        operationId: 'Session_user',
        tags: ['Session'],
        summary: 'The signed-in user of the session',
        responses: {
          '200': json('The user', {
            type: 'object',
            properties: { sub: { type: 'string' } },
            additionalProperties: true,
          }),
        },
      },
    },
    '/auth/logout': {
      post: {
        operationId: 'Session_logout',
        tags: ['Session'],
        summary: 'Ends the session and clears the cookie',
        responses: { '200': loggedOut },
      },
    },
    '/auth/backchannel-logout': {
      post: {
        operationId: 'Session_backchannelLogout',
        tags: ['Session'],
        summary: 'OIDC Back-Channel Logout: the identity provider ends sessions',
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                required: ['logout_token'],
                properties: { logout_token: { type: 'string' } },
              },
            },
          },
        },
        responses: { '200': loggedOut },
      },
    },
  };
}

const SESSION_ACCESS: Record<string, OperationAccess> = {
  Session_user: { mode: 'required', roles: [], scopes: [] },
  Session_logout: { mode: 'required', roles: [], scopes: [] },
};

function routePaths(routes: readonly CompiledRoute[]): Record<string, PathItemObject> {
  const out: Record<string, PathItemObject> = {};
  for (const route of routes) {
    const item: PathItemObject = {};
    for (const method of [...route.methods].map((m) => m.toLowerCase())) {
      if (!(METHODS as readonly string[]).includes(method)) continue;
      (item as Record<string, OperationObject>)[method] = {
        operationId: `Route_${route.settings.name}_${method}`,
        tags: ['Pass-through'],
        summary: `Passed through to the ${route.service} service as it is`,
        parameters: [
          {
            name: 'path',
            in: 'path',
            required: true,
            description: `Rest of the path, sent to \`${route.service}\` under \`${route.rewrite ?? route.prefix}\``,
            schema: { type: 'string' },
          },
        ],
        responses: { '200': { description: `The ${route.service} service's answer` } },
        'x-downstream-service': route.service,
      } as OperationObject;
    }
    out[`${route.prefix}/{path}`] = item;
  }
  return out;
}

function routeAccess(route: CompiledRoute): OperationAccess {
  const s = route.settings;
  const required = s.auth !== 'public' || (s.roles?.length ?? 0) > 0 || (s.scopes?.length ?? 0) > 0;
  // A public route still reads a credential when one is sent (for limits and user context).
  return { mode: required ? 'required' : 'optional', roles: s.roles ?? [], scopes: s.scopes ?? [] };
}

/**
 * Completes the document Nest derives from the controllers with what it cannot see: the session
 * endpoints and pass-through routes (plain Fastify routes), the security schemes with each
 * operation's roles and scopes, and the error schema with the errors each operation can answer.
 */
export function completeOpenApiDocument(doc: OpenAPIObject, facts: OpenApiFacts): OpenAPIObject {
  const session = facts.sessionCookie !== undefined;
  const paths: OpenAPIObject['paths'] = {
    ...doc.paths,
    ...(session ? sessionPaths() : {}),
    ...routePaths(facts.routes),
  };
  const routeAccessById = new Map<string, OperationAccess>(
    facts.routes.flatMap((r) =>
      [...r.methods].map(
        (m) => [`Route_${r.settings.name}_${m.toLowerCase()}`, routeAccess(r)] as const,
      ),
    ),
  );
  const anonymous: OperationAccess = { mode: 'anonymous', roles: [], scopes: [] };
  const required: OperationAccess = { mode: 'required', roles: [], scopes: [] };
  for (const [path, item] of Object.entries(paths)) {
    const out: PathItemObject = { ...item };
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      const id = op.operationId ?? '';
      const isSessionRoute = id.startsWith('Session_');
      const access =
        facts.access.get(id) ??
        routeAccessById.get(id) ??
        (isSessionRoute ? (SESSION_ACCESS[id] ?? anonymous) : required);
      // Session endpoints take the cookie only; the others any credential.
      out[method] = isSessionRoute
        ? {
            ...withAccess(op, path, access, { session: false, oidc: false }),
            security: access.mode === 'anonymous' ? [] : [{ sessionCookie: [], csrfHeader: [] }],
          }
        : withAccess(op, path, access, { session, oidc: facts.oidcDiscoveryUrl !== undefined });
    }
    paths[path] = out;
  }
  const errors = errorComponents();
  return {
    ...doc,
    paths,
    components: {
      ...doc.components,
      schemas: { ...doc.components?.schemas, ...errors.schemas },
      responses: { ...doc.components?.responses, ...errors.responses },
      securitySchemes: {
        ...(facts.oidcDiscoveryUrl !== undefined
          ? {
              oidc: {
                type: 'openIdConnect',
                openIdConnectUrl: facts.oidcDiscoveryUrl,
                description:
                  'Access token of the OIDC issuer, with the scopes listed per operation',
              },
            }
          : {}),
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Access token of a trusted OIDC issuer (roles and scopes from its claims)',
        },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'API key of a partner or service (`npm run apikey`)',
        },
        ...(session
          ? {
              sessionCookie: {
                type: 'apiKey',
                in: 'cookie',
                name: facts.sessionCookie as string,
                description: 'httpOnly session cookie set by `/auth/callback` (browser SPAs)',
              },
              csrfHeader: {
                type: 'apiKey',
                in: 'header',
                name: 'X-CSRF',
                description: 'Must be `1` on every call that carries the session cookie',
              },
            }
          : {}),
      },
    },
  };
}
