import { InstanceBalancer } from './balancer';

const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ target: i, label: `i${i}` }));

describe('InstanceBalancer', () => {
  it('round robin spreads calls evenly', () => {
    const b = new InstanceBalancer('svc', targets(3), {
      strategy: 'round-robin',
      ejectAfterFailures: 3,
      ejectMs: 1000,
    });
    const picked = Array.from({ length: 6 }, () => {
      const i = b.acquire(0);
      b.release(i, 'success', 0);
      return i.target;
    });
    expect(picked).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('least pending prefers the instance with fewer calls in flight', () => {
    const b = new InstanceBalancer('svc', targets(2), {
      strategy: 'least-pending',
      ejectAfterFailures: 3,
      ejectMs: 1000,
    });
    const slow = b.acquire(0);
    const next = [b.acquire(0), b.acquire(0), b.acquire(0)].map((i) => i.target);
    expect(slow.target).toBe(0);
    // Instance 0 holds the slow call: the next ones go to 1 until the loads are even.
    expect(next[0]).toBe(1);
    expect(b.instances.map((i) => i.pending).reduce((a, c) => a + c)).toBe(4);
  });

  it('ejects after consecutive failures, re-admits after the cool-off on probation', () => {
    const b = new InstanceBalancer('svc', targets(2), {
      strategy: 'round-robin',
      ejectAfterFailures: 2,
      ejectMs: 1000,
    });
    const bad = b.instances[0];
    for (let t = 0; t < 2; t++) b.release((bad.pending++, bad), 'failure', 10);
    expect(b.healthy(10)).toBe(1);
    for (let i = 0; i < 4; i++) expect(b.acquire(20).target).toBe(1);
    // Back after the cool-off; one more failure ejects it again at once.
    expect(b.healthy(1011)).toBe(2);
    b.release((bad.pending++, bad), 'failure', 1011);
    expect(b.healthy(1012)).toBe(1);
    // A success clears the count; a caller's cancellation is neutral.
    const good = b.instances[1];
    b.release((good.pending++, good), 'failure', 0);
    b.release((good.pending++, good), 'neutral', 0);
    b.release((good.pending++, good), 'success', 0);
    expect(good.failures).toBe(0);
  });

  it('uses an ejected instance rather than none when all are out', () => {
    const b = new InstanceBalancer('svc', targets(1), {
      strategy: 'least-pending',
      ejectAfterFailures: 1,
      ejectMs: 1000,
    });
    b.release(b.acquire(0), 'failure', 0);
    expect(b.healthy(1)).toBe(0);
    expect(b.acquire(1).target).toBe(0);
  });
});
