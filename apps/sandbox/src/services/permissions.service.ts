import type { FastifyInstance } from 'fastify';
import type { SeedData } from '../seed.types';

/** What the BFF asks (libs/routing route-authorizer.ts). */
interface Question {
  method: string;
  path: string;
  ip: string;
  principal: { sub: string; kind: string; roles: string[]; scopes: string[]; org_id?: string };
  headers: Record<string, string>;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A small permissions service for routes with an external authorizer (served by the users
 * service's host, so it shares its fault injection and request counts): `POST /authorize` answers
 * `{ allow, headers }`. Admins may do anything; any verified caller may read; writing needs the
 * `support` role or the `orders:write` scope. Devices listed as blocked are refused whatever the
 * token says (a decision the token alone cannot make).
 */
export function registerPermissionsRoutes(app: FastifyInstance, _data: SeedData): void {
  const blockedDevices = new Set(['dev-blocked']);
  app.post<{ Body: Question }>(
    '/authorize',
    {
      schema: {
        body: {
          type: 'object',
          required: ['method', 'path', 'principal'],
          properties: {
            method: { type: 'string', maxLength: 16 },
            path: { type: 'string', maxLength: 4096 },
            ip: { type: 'string', maxLength: 64 },
            principal: {
              type: 'object',
              required: ['sub', 'roles', 'scopes'],
              properties: {
                sub: { type: 'string', maxLength: 256 },
                roles: { type: 'array', items: { type: 'string' } },
                scopes: { type: 'array', items: { type: 'string' } },
              },
            },
            headers: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
    async (request) => {
      const { method, principal, headers } = request.body;
      const deny = (reason: string) => ({ allow: false, reason });
      const allow = (level: string) => ({
        allow: true,
        headers: { 'x-permission-level': level },
      });
      if (blockedDevices.has(headers?.['x-device-id'] ?? '')) return deny('device blocked');
      if (principal.roles.includes('admin')) return allow('admin');
      if (READS.has(method)) return allow('read');
      if (principal.roles.includes('support') || principal.scopes.includes('orders:write')) {
        return allow('write');
      }
      return deny('writing needs the support role or the orders:write scope');
    },
  );
}
