import {
  fixed,
  startDownstream,
  startExplosiveDownstream,
  startFixedDownstream,
  startSlowDownstream,
} from './support/downstream-doubles';

/** The downstream doubles of test/support do what the specs rely on. */
describe('downstream doubles', () => {
  it('fixed: the same answer every time, counted', async () => {
    const double = await startFixedDownstream();
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${double.url}/any/${i}`);
        expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
      }
      expect(double.hits()).toBe(2);
    } finally {
      await double.close();
    }
  });

  it('composed by path prefix, first match wins; no match is a 404', async () => {
    const double = await startDownstream({
      '/a/b': fixed({ status: 201, headers: {}, body: 'ab' }),
      '/a': fixed({ status: 202, headers: {}, body: 'a' }),
    });
    try {
      const answer = async (path: string) => {
        const res = await fetch(`${double.url}${path}`);
        return [res.status, await res.text()];
      };
      expect(await answer('/a/b/c')).toEqual([201, 'ab']);
      expect(await answer('/a/x')).toEqual([202, 'a']);
      expect(await answer('/b')).toEqual([404, '']);
    } finally {
      await double.close();
    }
  });

  it('slow: the head after delayMs, the body trickled piece by piece', async () => {
    const double = await startSlowDownstream({
      headers: { 'content-type': 'text/plain' },
      body: 'xyz',
      delayMs: 300,
      pieceEveryMs: 100,
    });
    try {
      const started = performance.now();
      const res = await fetch(double.url);
      expect(performance.now() - started).toBeGreaterThanOrEqual(280);
      expect(await res.text()).toBe('xyz');
      // Three pieces and the end, 100 ms apart.
      expect(performance.now() - started).toBeGreaterThanOrEqual(680);
    } finally {
      await double.close();
    }
  });

  it('explosive: close() fails once it was called, and only then', async () => {
    const untouched = await startExplosiveDownstream();
    await expect(untouched.close()).resolves.toBeUndefined();
    const called = await startExplosiveDownstream();
    expect((await fetch(`${called.url}/x`)).status).toBe(500);
    await expect(called.close()).rejects.toThrow('explosive downstream was called: GET /x');
  });
});
