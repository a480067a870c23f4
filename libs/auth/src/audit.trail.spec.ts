import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, type AuditRecord, outcomeOf } from './audit.trail';

const record = (status: number, id: string): AuditRecord => ({
  at: new Date().toISOString(),
  requestId: id,
  actor: { subject: 'staff_1', kind: 'user', roles: ['admin'] },
  method: 'PATCH',
  route: '/orders/:id/status',
  path: `/orders/${id}/status`,
  target: { id },
  status,
  outcome: outcomeOf(status),
  action: 'order.status.change',
  resource: `order/${id}`,
  clientIp: '127.0.0.1',
});

describe('AuditTrail', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per record, on disk when append resolves, in a created directory', async () => {
    const path = join(dir, 'nested', 'audit.log');
    const trail = new AuditTrail({ path, redisStream: undefined }, undefined);
    await trail.append(record(200, 'r1'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      requestId: 'r1',
      outcome: 'success',
    });
    // 100 concurrent appends: group-committed, none lost or interleaved.
    await Promise.all(Array.from({ length: 100 }, (_, i) => trail.append(record(409, `c${i}`))));
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(101);
    expect(new Set(lines.map((l) => JSON.parse(l).requestId)).size).toBe(101);
    await trail.close();
  });

  it('rejects when the record cannot be written', async () => {
    const trail = new AuditTrail({ path: dir, redisStream: undefined }, undefined);
    await expect(trail.append(record(200, 'r1'))).rejects.toThrow();
    await trail.close();
  });

  it('classifies outcomes', () => {
    expect([200, 201, 401, 403, 400, 409, 502].map(outcomeOf)).toEqual([
      'success',
      'success',
      'denied',
      'denied',
      'rejected',
      'rejected',
      'failed',
    ]);
  });
});
