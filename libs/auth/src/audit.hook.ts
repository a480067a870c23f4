import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditUnavailableError } from './auth.errors';
import { AuditTrail, type AuditRecord, outcomeOf } from './audit.trail';

export const AUDIT_TRAIL = Symbol('bff.auditTrail');

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const AUDITED = Symbol('bff.audited');

type AuditedRequest = FastifyRequest & { [AUDITED]?: true };

export function auditRecordOf(request: FastifyRequest, reply: FastifyReply): AuditRecord {
  const principal = request.bffContext?.principal;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const target: Record<string, string> = {};
  for (const [key, value] of Object.entries(params))
    if (typeof value === 'string') target[key] = value;
  return {
    at: new Date().toISOString(),
    requestId: request.bffContext?.requestId,
    actor:
      principal === undefined
        ? null
        : {
            subject: principal.subject,
            kind: principal.kind,
            roles: principal.roles,
            clientName: principal.clientName,
          },
    method: request.method,
    route: request.routeOptions?.url,
    path: request.url.split('?')[0],
    target,
    status: reply.statusCode,
    outcome: outcomeOf(reply.statusCode),
  };
}

/**
 * Records every mutating request, refused ones included, from a Fastify `onSend` hook: it runs once
 * the final status is known and before the first byte leaves, and the response waits for the
 * fsync. When the record cannot be written the client gets 503 AUDIT_UNAVAILABLE instead of a
 * success nobody could account for.
 */
@Injectable()
export class AuditHook implements OnApplicationShutdown {
  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(AUDIT_TRAIL) private readonly trail: AuditTrail,
  ) {
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // Registered while the module graph is built, i.e. before Nest adds its routes.
    fastify?.addHook(
      'onSend',
      async (request: AuditedRequest, reply: FastifyReply, payload: unknown) => {
        if (!MUTATING.has(request.method) || request[AUDITED]) return payload;
        request[AUDITED] = true;
        try {
          await this.trail.append(auditRecordOf(request, reply));
        } catch (error) {
          throw new AuditUnavailableError(
            'The audit trail is unavailable; the outcome was not recorded',
            undefined,
            {
              cause: error,
            },
          );
        }
        return payload;
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.trail.close();
  }
}
