import http from 'node:http';
import type { Socket } from 'node:net';
import { SANDBOX_SERVICES, Sandbox, startSandbox } from './sandbox';
import { urlFor } from './service.host';

async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
  throw new Error('expected the request to fail');
}

/** GET through a keep-alive agent, handing back the socket that served it. */
function keepAliveGet(url: string, agent: http.Agent): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const socket = res.socket;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, socket }));
      })
      .on('error', reject);
  });
}

describe('startSandbox', () => {
  it('starts five services and the control server on ephemeral ports by default', async () => {
    const sandbox = await startSandbox();
    try {
      expect(Object.keys(sandbox.urls)).toEqual([...SANDBOX_SERVICES]);
      const ports = new Set(
        [sandbox.controlUrl, ...Object.values(sandbox.urls)].map((u) => new URL(u).port),
      );
      expect(ports.size).toBe(6);
      for (const name of SANDBOX_SERVICES) {
        expect(sandbox.urls[name]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(await (await fetch(`${sandbox.urls[name]}/health`)).json()).toEqual({
          status: 'ok',
          service: name,
        });
      }
      expect((await fetch(`${sandbox.controlUrl}/health`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('puts the services on port+1..port+5 for a fixed control port', async () => {
    let sandbox: Sandbox | undefined;
    let base = 0;
    for (let attempt = 0; attempt < 10 && sandbox === undefined; attempt++) {
      base = 20_000 + Math.floor(Math.random() * 12_000); // below the ephemeral range (32768+)
      sandbox = await startSandbox({ port: base }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        return undefined;
      });
    }
    if (sandbox === undefined) throw new Error('no free port range found');
    try {
      expect(sandbox.controlUrl).toBe(`http://127.0.0.1:${base}`);
      expect(sandbox.urls).toEqual({
        users: `http://127.0.0.1:${base + 1}`,
        orders: `http://127.0.0.1:${base + 2}`,
        catalog: `http://127.0.0.1:${base + 3}`,
        inventory: `http://127.0.0.1:${base + 4}`,
        reviews: `http://127.0.0.1:${base + 5}`,
      });
      expect((await fetch(`http://127.0.0.1:${base + 3}/categories`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }

    // With the control port taken, startup fails and releases the service ports it had bound.
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(base, '127.0.0.1', resolve));
    try {
      await expect(startSandbox({ port: base })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const again = await startSandbox({ port: base });
    await again.close();
  });

  it('rejects invalid ports', async () => {
    await expect(startSandbox({ port: -1 })).rejects.toThrow(RangeError);
    await expect(startSandbox({ port: 65_534 })).rejects.toThrow(RangeError);
    await expect(startSandbox({ port: 1.5 })).rejects.toThrow(RangeError);
  });

  it('builds URLs that clients can reach', () => {
    expect(urlFor('127.0.0.1', 4001)).toBe('http://127.0.0.1:4001');
    expect(urlFor('0.0.0.0', 4001)).toBe('http://127.0.0.1:4001');
    expect(urlFor('::', 4001)).toBe('http://[::1]:4001');
    expect(urlFor('::1', 4001)).toBe('http://[::1]:4001');
  });
});

describe('sandbox stats', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterAll(() => sandbox.close());

  it('counts hits per service, /health excluded, and records requests as received', async () => {
    await fetch(`${sandbox.urls.users}/health`);
    await fetch(`${sandbox.urls.users}/users?page=2`, { headers: { 'X-Trace-Id': 'abc-123' } });
    await fetch(`${sandbox.urls.users}/users/usr_9999`);
    expect(sandbox.hits('users')).toBe(2);
    expect(sandbox.hits('orders')).toBe(0);
    const [first, second] = sandbox.recorded('users');
    expect(first).toMatchObject({ method: 'GET', url: '/users?page=2' });
    expect(first.headers['x-trace-id']).toBe('abc-123');
    expect(Number.isNaN(Date.parse(first.receivedAt))).toBe(false);
    expect(second.url).toBe('/users/usr_9999');
    sandbox.resetStats();
    expect(sandbox.hits('users')).toBe(0);
    expect(sandbox.recorded('users')).toEqual([]);
  });

  it('keeps the last 100 requests, oldest first', async () => {
    for (let i = 1; i <= 105; i++) {
      await (await fetch(`${sandbox.urls.reviews}/reviews?page=${i}`)).arrayBuffer();
    }
    const recorded = sandbox.recorded('reviews');
    expect(recorded).toHaveLength(100);
    expect(recorded[0].url).toBe('/reviews?page=6');
    expect(recorded[99].url).toBe('/reviews?page=105');
    expect(sandbox.hits('reviews')).toBe(105);
  });
});

describe('outage', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterEach(async () => {
    sandbox.faults.reset();
    await sandbox.settle();
  });
  afterAll(() => sandbox.close());

  it('refuses connections, drops keep-alive sockets, and resumes on the same port', async () => {
    const url = sandbox.urls.inventory;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { status, socket } = await keepAliveGet(`${url}/inventory/prd_0001`, agent);
      expect(status).toBe(200);
      expect(socket.destroyed).toBe(false);
      const socketClosed = new Promise((resolve) => socket.once('close', resolve));

      sandbox.faults.set('inventory', { outage: true });
      await socketClosed;
      expect(await failureCode(fetch(`${url}/inventory/prd_0001`))).toBe('ECONNREFUSED');
      // Listener level: even /health is gone.
      expect(await failureCode(fetch(`${url}/health`))).toBe('ECONNREFUSED');
      // Other services are unaffected.
      expect((await fetch(`${sandbox.urls.catalog}/categories`)).status).toBe(200);

      sandbox.faults.set('inventory', { outage: false });
      await sandbox.settle();
      expect((await fetch(`${url}/inventory/prd_0001`)).status).toBe(200);
      expect((await keepAliveGet(`${url}/inventory/prd_0002`, agent)).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('kills requests in flight', async () => {
    sandbox.faults.set('users', { latencyMs: 5000 });
    const inFlight = failureCode(fetch(`${sandbox.urls.users}/users`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const start = performance.now();
    sandbox.faults.set('users', { outage: true });
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(await inFlight);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('survives rapid toggling', async () => {
    for (let i = 0; i < 5; i++) {
      sandbox.faults.set('reviews', { outage: true });
      sandbox.faults.set('reviews', { outage: false });
    }
    sandbox.faults.set('reviews', { outage: true });
    await sandbox.settle();
    expect(await failureCode(fetch(`${sandbox.urls.reviews}/reviews`))).toBe('ECONNREFUSED');
    sandbox.faults.reset('reviews');
    await sandbox.settle();
    expect((await fetch(`${sandbox.urls.reviews}/reviews`)).status).toBe(200);
  });

  it('closes cleanly while services are down', async () => {
    const other = await startSandbox();
    other.faults.set('orders', { outage: true });
    other.faults.set('catalog', { latencyMs: 10_000 });
    const pending = failureCode(fetch(`${other.urls.catalog}/categories`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    await other.close();
    expect(await pending).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    for (const url of [other.controlUrl, ...Object.values(other.urls)]) {
      expect(await failureCode(fetch(`${url}/health`))).toBe('ECONNREFUSED');
    }
  });
});
