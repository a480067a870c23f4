import { RetryBudget } from './retry.budget';

describe('RetryBudget', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 5_000_000;
  });

  it('allows retries up to the ratio of calls over the window', () => {
    const budget = new RetryBudget(0.2, 0, 10_000, clock);
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    expect(budget.snapshot()).toEqual({ calls: 10, retries: 2, available: 0 });
    for (let i = 0; i < 5; i++) budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
  });

  it('keeps a small reserve per second for quiet services', () => {
    const budget = new RetryBudget(0.2, 0.5, 10_000, clock);
    budget.recordCall();
    // 0.5/s over 10 s: 5 retries, plus 0.2 of one call rounded down.
    for (let i = 0; i < 5; i++) expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
  });

  it('refills as old retries leave the window', () => {
    const budget = new RetryBudget(0.1, 0, 10_000, clock);
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    now += 10_000;
    for (let i = 0; i < 10; i++) budget.recordCall();
    expect(budget.tryAcquire()).toBe(true);
    now += 30_000;
    expect(budget.snapshot()).toEqual({ calls: 0, retries: 0, available: 0 });
    expect(budget.tryAcquire()).toBe(false);
  });
});
