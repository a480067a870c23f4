import { type RequestContext, RequestContextStore } from '@app/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { AuditFieldChange } from './audit.trail';

/** Key of the audit naming in a Fastify route's `config`. */
export const AUDIT_ROUTE_CONFIG = 'bffAudit';

/** What {@link AuditAction} puts in the route's config. */
export interface AuditRouteNaming {
  readonly action: string;
  /** With `:param` placeholders filled from the route parameters, e.g. `order/:id`. */
  readonly resource: string;
}

/**
 * Names a mutating route's action and resource in the audit trail, for every attempt: refused
 * ones (401, 403, 400) never reach the handler, yet are filed under the same names. Carried in
 * the Fastify route's config, which the audit hook reads without Nest.
 */
export const AuditAction = (action: string, resource: string): MethodDecorator =>
  RouteConfig({ [AUDIT_ROUTE_CONFIG]: { action, resource } satisfies AuditRouteNaming });

/** What a handler tells the audit trail about the change it made (see {@link recordAuditChange}). */
export interface AuditChange {
  /** Stable name of the action, e.g. `order.status.change` (default `<METHOD> <route>`). */
  readonly action?: string;
  /** The resource changed, e.g. `order/ord_00001` (default the request path). */
  readonly resource?: string;
  /** The fields touched, with their values before and after. */
  readonly changes?: Readonly<Record<string, AuditFieldChange>>;
  /** Why, as the caller gave it. */
  readonly reason?: string;
}

// Keyed by the request's context: gone with the request, and no field on core's context type.
const pending = new WeakMap<RequestContext, AuditChange>();

/**
 * Adds what changed to the audit record of the current request (admin-bff mutations). Call it
 * once the change is made; the record is written, with it, before the answer leaves. Calls
 * outside a request are ignored; a second call in one request adds to the first.
 */
export function recordAuditChange(change: AuditChange): void {
  const context = RequestContextStore.current();
  if (context === undefined) return;
  const previous = pending.get(context);
  pending.set(context, {
    ...previous,
    ...change,
    changes: { ...previous?.changes, ...change.changes },
  });
}

/** The change recorded for a request, if any (read by the audit hook). */
export function auditChangeOf(context: RequestContext | undefined): AuditChange | undefined {
  return context === undefined ? undefined : pending.get(context);
}
