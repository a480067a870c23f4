import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { AuditQuery } from '@app/auth';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { ADMIN_SCOPES, type TestIssuer, startTestIssuer } from './support/auth';
import { SHARED_REDIS_URL } from './support/shared-redis';
import {
  type Json,
  type RunningApp,
  type Sandbox,
  json,
  startApp,
  startSandbox,
} from './support/stack';

/** The audit trail with what changed, and GET /audit over the file or the Redis stream. */
describe('admin-bff audit trail: what changed, and GET /audit', () => {
  let sandbox: Sandbox;
  let issuer: TestIssuer;

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
  });

  afterAll(async () => {
    await sandbox?.close();
    await issuer?.close();
  });

  const admin = (sub = 'staff_ann', scope = ADMIN_SCOPES) =>
    issuer.headers({ sub, roles: ['admin'], aud: 'admin-bff', scope });
  const auditor = (scope = 'audit:read') =>
    issuer.headers({ sub: 'staff_audit', roles: ['auditor'], aud: 'admin-bff', scope });
  const support = () =>
    issuer.headers({
      sub: 'staff_bob',
      roles: ['support'],
      aud: 'admin-bff',
      scope: `${ADMIN_SCOPES} audit:read`,
    });

  /** Runs the checks against an admin-bff whose trail is the file, then the Redis stream. */
  describe.each([
    ['file', false],
    ['redis-stream', true],
  ])('read from the %s', (source, streamed) => {
    let app: RunningApp;
    const auditPath = join(tmpdir(), `bff-admin-audit-${process.pid}-${randomUUID()}.log`);
    const stream = `bff-test-${randomUUID()}:audit`;

    beforeAll(async () => {
      app = await startApp(createAdminBff, sandbox, {
        ...issuer.env,
        AUDIT_LOG_PATH: auditPath,
        ...(streamed ? { REDIS_URL: SHARED_REDIS_URL, AUDIT_REDIS_STREAM: stream } : {}),
      });
    });

    afterAll(async () => {
      await app?.app.close();
      await rm(auditPath, { force: true });
      if (streamed) {
        const redis = new Redis(SHARED_REDIS_URL);
        await redis.del(stream);
        redis.disconnect();
      }
    });

    const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${app.url}${path}`, {
        method,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const audit = async (query: string, headers = auditor()): Promise<Json> => {
      const res = await call('GET', `/audit${query}`, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      return json(res);
    };
    const pendingOrders = async (n: number): Promise<string[]> => {
      const res = await call('GET', `/orders?status=pending&pageSize=${n}`, admin());
      const ids = (await json(res)).items.map((o: { id: string }) => o.id);
      expect(ids).toHaveLength(n);
      return ids;
    };
    // The two apps share the sandbox: each takes its own pending orders.
    let orders: string[];
    beforeAll(async () => {
      const ids = await pendingOrders(12);
      orders = streamed ? ids.slice(6) : ids.slice(0, 6);
    });

    it(`records before and after, reason, request id, actor, roles and client IP (${source})`, async () => {
      const id = orders[0];
      const res = await call(
        'PATCH',
        `/orders/${id}/status`,
        { ...admin(), 'x-request-id': `audit-${source}-1` },
        { status: 'paid', reason: 'payment confirmed' },
      );
      expect(res.status).toBe(200);
      // Durable before the answer: the line is in the file once the response is here.
      const last = JSON.parse((await readFile(auditPath, 'utf8')).trim().split('\n').at(-1) ?? '');
      const expected = {
        requestId: `audit-${source}-1`,
        actor: { subject: 'staff_ann', kind: 'user', roles: ['admin'] },
        action: 'order.status.change',
        resource: `order/${id}`,
        changes: { status: { before: 'pending', after: 'paid' } },
        reason: 'payment confirmed',
        clientIp: '127.0.0.1',
        status: 200,
        outcome: 'success',
      };
      expect(last).toMatchObject(expected);

      const page = await audit(`?resource=order/${id}`);
      expect(page.source).toBe(source);
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject(expected);
      expect(page.nextCursor).toBeUndefined();
    });

    it(`files refused attempts under the same action and resource, without changes (${source})`, async () => {
      const id = orders[1];
      const denied = await call('PATCH', `/orders/${id}/status`, support(), {
        status: 'cancelled',
        reason: 'customer asked',
      });
      expect(denied.status).toBe(403);
      // Not allowed by the orders service (pending -> delivered): 409, nothing changed.
      const conflict = await call('PATCH', `/orders/${id}/status`, admin(), {
        status: 'delivered',
      });
      expect(conflict.status).toBe(409);
      const page = await audit(`?resource=order/${id}&action=order.status.change`);
      expect(page.items).toHaveLength(2);
      expect(page.items[0]).toMatchObject({
        status: 409,
        outcome: 'rejected',
        actor: { subject: 'staff_ann' },
      });
      expect(page.items[1]).toMatchObject({
        status: 403,
        outcome: 'denied',
        actor: { subject: 'staff_bob', roles: ['support'] },
        reason: 'customer asked',
      });
      expect(page.items.every((r: Json) => r.changes === undefined)).toBe(true);
    });

    it(`filters by actor and time range and pages with a cursor (${source})`, async () => {
      const from = new Date().toISOString();
      const actor = `staff_${source}_pager`;
      for (const id of orders.slice(2, 6)) {
        const res = await call('PATCH', `/orders/${id}/status`, admin(actor), { status: 'paid' });
        expect(res.status).toBe(200);
      }
      const to = new Date().toISOString();
      const first = await audit(`?actor=${actor}&limit=3`);
      expect(first.items).toHaveLength(3);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await audit(`?actor=${actor}&limit=3&cursor=${first.nextCursor}`);
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeUndefined();
      const resources = [...first.items, ...second.items].map((r: Json) => r.resource);
      // Newest first.
      expect(resources).toEqual(
        orders
          .slice(2, 6)
          .reverse()
          .map((id) => `order/${id}`),
      );

      const inRange = await audit(`?from=${from}&to=${to}&action=order.status.change`);
      expect(inRange.items.map((r: Json) => r.actor.subject)).toEqual(Array(4).fill(actor));
      const before = await audit(`?to=${from}&actor=${actor}`);
      expect(before.items).toEqual([]);
    });

    it(`answers 400 for a bad filter or cursor (${source})`, async () => {
      for (const query of ['?limit=0', '?limit=101', '?from=yesterday', '?cursor=not-a-cursor']) {
        const res = await call('GET', `/audit${query}`, auditor());
        expect(res.status).toBe(400);
        expect(await json(res)).toMatchObject({ statusCode: 400, requestId: expect.any(String) });
      }
    });
  });

  describe('who may read it; the client address behind a trusted proxy', () => {
    let app: RunningApp;
    const auditPath = join(tmpdir(), `bff-admin-audit-${process.pid}-${randomUUID()}.log`);
    beforeAll(async () => {
      app = await startApp(createAdminBff, sandbox, {
        ...issuer.env,
        AUDIT_LOG_PATH: auditPath,
        TRUSTED_PROXIES: '127.0.0.1',
      });
    });
    afterAll(async () => {
      await app?.app.close();
      await rm(auditPath, { force: true });
    });

    const status = async (headers: Record<string, string>) =>
      (await fetch(`${app.url}/audit`, { headers })).status;

    it('auditors and admins with audit:read; nobody else', async () => {
      expect(await status(auditor())).toBe(200);
      expect(await status(admin('staff_ann', `${ADMIN_SCOPES} audit:read`))).toBe(200);
      expect(await status({})).toBe(401);
      expect(await status(support())).toBe(403);
      const narrow = await fetch(`${app.url}/audit`, { headers: admin() });
      expect(narrow.status).toBe(403);
      expect(await json(narrow)).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
      expect(await status(auditor('orders:read'))).toBe(403);
    });

    it('records the client address from X-Forwarded-For sent by a trusted proxy', async () => {
      const res = await fetch(`${app.url}/revocations`, {
        method: 'POST',
        headers: {
          ...admin('staff_ann', `${ADMIN_SCOPES} tokens:revoke`),
          'content-type': 'application/json',
          'x-forwarded-for': '198.51.100.7, 203.0.113.9',
        },
        body: JSON.stringify({ jti: `audit-${randomUUID()}`, reason: 'lost laptop' }),
      });
      expect(res.status).toBe(201);
      const page = await json(
        await fetch(`${app.url}/audit?action=${encodeURIComponent('POST /revocations')}`, {
          headers: auditor(),
        }),
      );
      // Right to left: 203.0.113.9 is the first untrusted hop.
      expect(page.items[0]).toMatchObject({
        clientIp: '203.0.113.9',
        resource: '/revocations',
        reason: 'lost laptop',
        outcome: 'success',
      });
    });
  });
});

describe('AuditQuery over a real Redis stream: bounded reads, cursors', () => {
  const stream = `bff-test-${randomUUID()}:audit`;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(SHARED_REDIS_URL);
    const pipeline = redis.pipeline();
    for (let n = 0; n < 1200; n++) {
      const record = {
        at: new Date(Date.now() - (1200 - n) * 10).toISOString(),
        requestId: `r${n}`,
        actor: { subject: n % 100 === 0 ? 'rare' : 'common', kind: 'user', roles: ['admin'] },
        action: 'order.status.change',
        resource: `order/ord_${n}`,
        clientIp: '127.0.0.1',
      };
      pipeline.xadd(stream, '*', 'record', JSON.stringify(record));
    }
    await pipeline.exec();
  });

  afterAll(async () => {
    await redis?.del(stream);
    redis?.disconnect();
  });

  it('pages newest first and stops after its entry budget with a cursor to go on', async () => {
    const query = new AuditQuery({ path: '/nonexistent', redisStream: stream }, redis, {
      maxScanBytes: 1,
      maxScanEntries: 500,
    });
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      // A page of up to 100 that its 500-entry budget cuts short.
      const page = await query.find({ actor: 'rare' }, 100, cursor);
      sizes.push(page.items.length);
      expect(page.source).toBe('redis-stream');
      seen.push(...page.items.map((r) => r.requestId ?? ''));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 50);
    expect(seen).toEqual([
      'r1100',
      'r1000',
      'r900',
      'r800',
      'r700',
      'r600',
      'r500',
      'r400',
      'r300',
      'r200',
      'r100',
      'r0',
    ]);
    // 1200 entries at 500 a request: 3 requests, the first two cut short with 5 matches each.
    expect(sizes).toEqual([5, 5, 2]);
  });
});
