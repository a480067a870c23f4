import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditQuery, InvalidAuditCursorError } from './audit.query';
import { type AuditRecord, outcomeOf } from './audit.trail';

const T0 = Date.parse('2026-12-01T00:00:00.000Z');

const record = (n: number, actor = n % 3 === 0 ? 'alice' : 'bob'): AuditRecord => ({
  at: new Date(T0 + n * 1000).toISOString(),
  requestId: `r${n}`,
  actor: { subject: actor, kind: 'user', roles: ['admin'] },
  method: 'PATCH',
  route: '/orders/:id/status',
  path: `/orders/ord_${n % 5}/status`,
  target: { id: `ord_${n % 5}` },
  status: 200,
  outcome: outcomeOf(200),
  action: n % 2 === 0 ? 'order.status.change' : 'POST /revocations',
  resource: `order/ord_${n % 5}`,
  changes: { status: { before: 'pending', after: 'paid' } },
  reason: 'x'.repeat(200),
  clientIp: '127.0.0.1',
});

describe('AuditQuery over the file', () => {
  let dir: string;
  let path: string;
  const query = (limits?: { maxScanBytes: number; maxScanEntries: number }) =>
    new AuditQuery({ path, redisStream: undefined }, undefined, limits);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-query-'));
    path = join(dir, 'audit.log');
    // ~600 bytes a line: 1000 lines span several 64 KiB chunks.
    writeFileSync(
      path,
      Array.from({ length: 1000 }, (_, n) => JSON.stringify(record(n)) + '\n').join(''),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Every page of a query, following the cursors. */
  const all = async (q: AuditQuery, filter: Parameters<AuditQuery['find']>[0], limit: number) => {
    const seen: AuditRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await q.find(filter, limit, cursor);
      expect(page.source).toBe('file');
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 2000);
    return { seen, pages };
  };

  it('pages newest first across chunk boundaries, each record once', async () => {
    const { seen, pages } = await all(query(), {}, 37);
    expect(seen.map((r) => r.requestId)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `r${999 - i}`),
    );
    expect(pages).toBe(28);
  });

  it('filters by actor, action, resource and time range', async () => {
    const { seen } = await all(
      query(),
      {
        actor: 'alice',
        action: 'order.status.change',
        resource: 'order/ord_0',
        from: T0 + 100_000,
        to: T0 + 700_000,
      },
      5,
    );
    const expected = Array.from({ length: 1000 }, (_, n) => n)
      .filter((n) => n % 3 === 0 && n % 2 === 0 && n % 5 === 0 && n >= 100 && n <= 700)
      .reverse()
      .map((n) => `r${n}`);
    expect(expected.length).toBeGreaterThan(5);
    expect(seen.map((r) => r.requestId)).toEqual(expected);
  });

  it('bounds the bytes read per request and continues where it stopped', async () => {
    const limited = query({ maxScanBytes: 100_000, maxScanEntries: 1 });
    const first = await limited.find({ actor: 'nobody' }, 10);
    expect(first.items).toEqual([]);
    expect(first.nextCursor).toBeDefined();
    const { seen, pages } = await all(limited, { resource: 'order/ord_3' }, 50);
    expect(seen).toHaveLength(200);
    expect(new Set(seen.map((r) => r.requestId)).size).toBe(200);
    expect(pages).toBeGreaterThan(4);
  });

  it('skips a torn last line and answers an empty page for a missing file', async () => {
    appendFileSync(path, '{"at":"2026-12-0');
    const page = await query().find({}, 1);
    expect(page.items.map((r) => r.requestId)).toEqual(['r999']);
    rmSync(path);
    expect(await query().find({}, 10)).toEqual({ items: [], source: 'file' });
  });

  it.each([
    'nope',
    Buffer.from('{"k":"stream","id":"1-0"}').toString('base64url'),
    Buffer.from('{"k":"file","o":-1}').toString('base64url'),
  ])('refuses a cursor that is not one of its own (%s)', async (cursor) => {
    await expect(query().find({}, 10, cursor)).rejects.toBeInstanceOf(InvalidAuditCursorError);
  });
});
