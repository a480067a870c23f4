import { BffConfig } from '@app/config';
import { ClientIpResolver } from '@app/throttling';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditUnavailableError } from './auth.errors';
import { AUDIT_ROUTE_CONFIG, type AuditRouteNaming, auditChangeOf } from './audit.change';
import { AuditTrail, type AuditRecord, outcomeOf } from './audit.trail';

export const AUDIT_TRAIL = Symbol('bff.auditTrail');

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const AUDITED = Symbol('bff.audited');

type AuditedRequest = FastifyRequest & { [AUDITED]?: true };

export function auditRecordOf(
  request: FastifyRequest,
  reply: FastifyReply,
  clientIp: string = request.socket.remoteAddress ?? 'unknown',
): AuditRecord {
  const principal = request.bffContext?.principal;
  const route = request.routeOptions?.url;
  const path = request.url.split('?')[0];
  const change = auditChangeOf(request.bffContext ?? undefined);
  const naming = (request.routeOptions?.config as unknown as Record<string, unknown> | undefined)?.[
    AUDIT_ROUTE_CONFIG
  ] as AuditRouteNaming | undefined;
  const status = reply.statusCode;
  const body = request.body as Record<string, unknown> | undefined;
  const reason =
    change?.reason ?? (typeof body?.reason === 'string' ? body.reason.slice(0, 500) : undefined);
  const params = (request.params ?? {}) as Record<string, unknown>;
  const target: Record<string, string> = {};
  for (const [key, value] of Object.entries(params))
    if (typeof value === 'string') target[key] = value;
  const resource = naming?.resource.replace(
    /:(\w+)/g,
    (whole, name: string) => target[name] ?? whole,
  );
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
    route,
    path,
    target,
    status,
    outcome: outcomeOf(status),
    action: change?.action ?? naming?.action ?? `${request.method} ${route ?? path}`,
    resource: change?.resource ?? resource ?? path,
    // Only a change that was made has a before and after (a later failure may have undone it).
    ...(change?.changes !== undefined && status < 400 && Object.keys(change.changes).length > 0
      ? { changes: change.changes }
      : {}),
    ...(reason === undefined ? {} : { reason }),
    clientIp,
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
  private readonly ips: ClientIpResolver;

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(AUDIT_TRAIL) private readonly trail: AuditTrail,
    @Inject(BffConfig) config: BffConfig,
  ) {
    this.ips = new ClientIpResolver(
      config.rateLimit.trustedProxies,
      config.rateLimit.trustedProxyHeader,
    );
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // Registered while the module graph is built, i.e. before Nest adds its routes.
    fastify?.addHook(
      'onSend',
      // A callback hook: reads (most answers) pass without a promise and a microtask turn.
      (
        request: AuditedRequest,
        reply: FastifyReply,
        payload: unknown,
        done: (error: Error | null, payload?: unknown) => void,
      ) => {
        if (!MUTATING.has(request.method) || request[AUDITED]) return done(null, payload);
        request[AUDITED] = true;
        const unavailable = (error: unknown) =>
          new AuditUnavailableError(
            'The audit trail is unavailable; the outcome was not recorded',
            undefined,
            { cause: error },
          );
        let appended: Promise<unknown>;
        try {
          const ip = this.ips.fromRequest(request.socket.remoteAddress, request.headers);
          appended = this.trail.append(auditRecordOf(request, reply, ip));
        } catch (error) {
          return done(unavailable(error));
        }
        appended.then(
          () => done(null, payload),
          (error: unknown) => done(unavailable(error)),
        );
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.trail.close();
  }
}
