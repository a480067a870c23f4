import { CircuitState } from 'cockatiel';
import { RatioBreaker } from './ratio.breaker';

describe('RatioBreaker', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('waits for the minimum number of calls, then opens when the ratio is reached', () => {
    const breaker = new RatioBreaker(0.5, 10, 10_000, clock);
    for (let i = 0; i < 5; i++) breaker.success(CircuitState.Closed);
    for (let i = 0; i < 4; i++) expect(breaker.failure(CircuitState.Closed)).toBe(false);
    // 10th call, 5 failures out of 10 = 0.5.
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });

  it('stays closed under the ratio', () => {
    const breaker = new RatioBreaker(0.5, 4, 10_000, clock);
    for (let i = 0; i < 100; i++) {
      breaker.success(CircuitState.Closed);
      breaker.success(CircuitState.Closed);
      expect(breaker.failure(CircuitState.Closed)).toBe(false);
    }
  });

  it('drops calls older than the window, even after an idle period', () => {
    const breaker = new RatioBreaker(0.5, 5, 10_000, clock);
    for (let i = 0; i < 4; i++) breaker.failure(CircuitState.Closed);
    now += 10_001;
    expect(breaker.failure(CircuitState.Closed)).toBe(false);
    now += 4_000;
    for (let i = 0; i < 3; i++) expect(breaker.failure(CircuitState.Closed)).toBe(false);
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });

  it('reopens on any half-open failure and starts afresh after recovering', () => {
    const breaker = new RatioBreaker(0.5, 2, 10_000, clock);
    expect(breaker.failure(CircuitState.HalfOpen)).toBe(true);
    breaker.failure(CircuitState.Closed);
    breaker.success(CircuitState.HalfOpen);
    expect(breaker.state).toEqual({ successes: 1, failures: 0 });
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });
});
