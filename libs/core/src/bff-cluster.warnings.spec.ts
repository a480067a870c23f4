import { loadConfig } from '@app/config';
import { clusterWarnings } from './bff-cluster.warnings';

describe('clusterWarnings', () => {
  it('warns once when several workers would each keep their own rate limits', () => {
    expect(clusterWarnings(loadConfig({ BFF_WORKERS: '2' }))).toEqual([
      'BFF_WORKERS=2 with the memory rate-limit store: each worker keeps its own counters, so a ' +
        'client gets up to 2x every limit (burst, sustained, daily quota); set REDIS_URL ' +
        '(RATE_LIMIT_STORE=redis) to share them',
    ]);
  });

  it('says nothing with one worker, shared limits or limits turned off', () => {
    expect(clusterWarnings(loadConfig({}))).toEqual([]);
    expect(
      clusterWarnings(loadConfig({ BFF_WORKERS: '4', REDIS_URL: 'redis://127.0.0.1:6379' })),
    ).toEqual([]);
    expect(clusterWarnings(loadConfig({ BFF_WORKERS: '4', RATE_LIMIT_ENABLED: 'false' }))).toEqual(
      [],
    );
  });

  it('warns even with Redis configured when the memory store is chosen explicitly', () => {
    const config = loadConfig({
      BFF_WORKERS: '3',
      REDIS_URL: 'redis://127.0.0.1:6379',
      RATE_LIMIT_STORE: 'memory',
    });
    expect(clusterWarnings(config)).toEqual([expect.stringMatching(/^BFF_WORKERS=3 .* 3x /)]);
  });
});
