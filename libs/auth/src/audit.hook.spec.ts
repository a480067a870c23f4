import { RequestContextStore, createRequestContext } from '@app/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_ROUTE_CONFIG, recordAuditChange } from './audit.change';
import { auditRecordOf } from './audit.hook';

const context = () => createRequestContext({ 'x-request-id': 'req-1' }, 1000);

function requestOf(ctx = context(), body: unknown = { status: 'paid', reason: 'phone' }) {
  return {
    method: 'PATCH',
    url: '/orders/ord_7/status?x=1',
    routeOptions: {
      url: '/orders/:id/status',
      config: { [AUDIT_ROUTE_CONFIG]: { action: 'order.status.change', resource: 'order/:id' } },
    },
    params: { id: 'ord_7' },
    body,
    bffContext: ctx,
    socket: { remoteAddress: '10.0.0.9' },
    headers: {},
  } as unknown as FastifyRequest;
}
const reply = (statusCode: number) => ({ statusCode }) as FastifyReply;

describe('auditRecordOf', () => {
  it("names the action and resource from the route's @AuditAction, the reason from the body", () => {
    const record = auditRecordOf(requestOf(), reply(403), '203.0.113.9');
    expect(record).toMatchObject({
      requestId: 'req-1',
      action: 'order.status.change',
      resource: 'order/ord_7',
      path: '/orders/ord_7/status',
      reason: 'phone',
      clientIp: '203.0.113.9',
      outcome: 'denied',
    });
    expect(record.changes).toBeUndefined();
  });

  it("adds the handler's changes to a successful answer only", () => {
    const ctx = context();
    RequestContextStore.run(ctx, () => {
      recordAuditChange({ changes: { status: { before: 'pending', after: 'paid' } } });
      recordAuditChange({ reason: 'confirmed', changes: { note: { before: null, after: 'x' } } });
    });
    expect(auditRecordOf(requestOf(ctx), reply(200))).toMatchObject({
      reason: 'confirmed',
      clientIp: '10.0.0.9',
      changes: {
        status: { before: 'pending', after: 'paid' },
        note: { before: null, after: 'x' },
      },
    });
    // The same request answered 502 (e.g. a failure after the change call): no before/after.
    expect(auditRecordOf(requestOf(ctx), reply(502)).changes).toBeUndefined();
  });

  it('falls back to method, route and path for routes without a name', () => {
    const request = requestOf(context(), 'not an object');
    (request.routeOptions as { config: object }).config = {};
    expect(auditRecordOf(request, reply(201))).toMatchObject({
      action: 'PATCH /orders/:id/status',
      resource: '/orders/ord_7/status',
    });
    expect(auditRecordOf(request, reply(201)).reason).toBeUndefined();
  });
});
