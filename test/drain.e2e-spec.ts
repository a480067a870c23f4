import { type Socket, connect } from 'node:net';
import { type BffProcess, listeningUrl, spawnWebBff } from './support/bff-process';
import { type Sandbox, startSandbox } from './support/stack';

/**
 * The drain a balancer can see: after SIGTERM a real BFF process keeps its listener open for
 * `SHUTDOWN_DELAY_MS`, readiness answers 503 and every answer (keep-alive ones included) carries
 * `Connection: close`; only then does the listener close. Production defaults to 10 s.
 */

interface WebProcess extends BffProcess {
  url: string;
}

async function startWebProcess(sandbox: Sandbox, env: Record<string, string>): Promise<WebProcess> {
  const proc = spawnWebBff(sandbox, env);
  return Object.assign(proc, { url: await listeningUrl(proc) });
}

async function waitFor<T>(value: () => T | undefined, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = value();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 connection kept alive across requests, as a balancer or a browser keeps it. */
class KeepAliveConnection {
  private data = '';
  closed = false;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (this.data += chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static open(baseUrl: string): Promise<KeepAliveConnection> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((done, fail) => {
      const socket = connect(Number(port), hostname, () => done(new KeepAliveConnection(socket)));
      socket.once('error', fail);
    });
  }

  async get(path: string): Promise<Answer> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: bff\r\nConnection: keep-alive\r\n\r\n`);
    return waitFor(() => this.take(), 5_000);
  }

  /** Resolves once the server has closed the connection. */
  whenClosed(timeoutMs: number): Promise<boolean> {
    return waitFor(() => (this.closed ? true : undefined), timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }

  private take(): Answer | undefined {
    const split = this.data.indexOf('\r\n\r\n');
    if (split === -1) return undefined;
    const lines = this.data.slice(0, split).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (this.data.length < split + 4 + length) return undefined;
    const body = this.data.slice(split + 4, split + 4 + length);
    this.data = this.data.slice(split + 4 + length);
    return { status: Number(lines[0].split(' ')[1]), headers, body };
  }
}

/** A fresh connection's answer, or `refused` when nothing listens any more. */
async function probe(url: string, path: string): Promise<number | 'refused'> {
  try {
    const res = await fetch(`${url}${path}`, { headers: { connection: 'close' } });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'refused';
  }
}

describe('drain a balancer can see (SIGTERM on a real process)', () => {
  let sandbox: Sandbox;
  let bff: WebProcess | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });

  afterEach(() => {
    const child = bff?.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    bff = undefined;
  });

  afterAll(() => sandbox?.close());

  it('production default: the listener stays open with readiness 503 and Connection: close on keep-alive answers', async () => {
    bff = await startWebProcess(sandbox, { NODE_ENV: 'production', RATE_LIMIT_ENABLED: 'false' });
    const kept = await KeepAliveConnection.open(bff.url);
    try {
      const before = await kept.get('/health/ready');
      expect(before.status).toBe(200);
      expect(before.headers.connection).toBe('keep-alive');

      const sigtermAt = performance.now();
      bff.child.kill('SIGTERM');
      await waitFor(() => (bff!.output().includes('SIGTERM: draining') ? true : undefined), 5_000);
      expect(bff.output()).toContain('SIGTERM: draining (delay 10000 ms');

      // The connection kept alive from before: answered, told to close, then closed.
      const during = await kept.get('/products/prd_0001');
      expect(during.status).toBe(200);
      expect(during.headers.connection).toBe('close');
      expect(await kept.whenClosed(2_000)).toBe(true);

      // New connections are still accepted: probes see 503, clients are still served.
      const seen: (number | 'refused')[] = [];
      while (performance.now() - sigtermAt < 3_000) {
        seen.push(await probe(bff.url, '/health/ready'));
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(new Set(seen)).toEqual(new Set([503]));
      const ready = await fetch(`${bff.url}/health/ready`);
      expect(await ready.json()).toEqual({ status: 'draining' });
      expect(ready.headers.get('connection')).toBe('close');
      expect(await probe(bff.url, '/products/prd_0002')).toBe(200);
      expect(bff.child.exitCode).toBeNull();
    } finally {
      kept.close();
    }
  }, 40_000);

  it('SHUTDOWN_DELAY_MS: readiness 503 for the whole delay, then the listener closes and the process exits 0', async () => {
    const delayMs = 1_500;
    bff = await startWebProcess(sandbox, {
      SHUTDOWN_DELAY_MS: String(delayMs),
      // Shorter than the delay on purpose: the deadline counts from the end of the delay.
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    const sigtermAt = performance.now();
    bff.child.kill('SIGTERM');
    const during: { at: number; status: number | 'refused' }[] = [];
    let status: number | 'refused' = 503;
    while (status !== 'refused' && performance.now() - sigtermAt < delayMs + 5_000) {
      status = await probe(bff.url, '/health/ready');
      during.push({ at: Math.round(performance.now() - sigtermAt), status });
      await new Promise((r) => setTimeout(r, 100));
    }
    const refusedAt = during.find((d) => d.status === 'refused')?.at;
    // Never refused during the delay (a little scheduling slack at its end), then refused.
    expect(during.filter((d) => d.at < delayMs - 200).map((d) => d.status)).not.toContain(
      'refused',
    );
    expect(during.filter((d) => d.status !== 'refused').map((d) => d.status)).not.toContain(200);
    expect(refusedAt).toBeGreaterThanOrEqual(delayMs - 200);
    expect(await bff.exited).toEqual({ code: 0, signal: null });
    expect(bff.output()).toContain('"msg":"stopped"');
  }, 40_000);

  it('outside production (`npm start`) the delay stays 0', async () => {
    bff = await startWebProcess(sandbox, { NODE_ENV: 'development' });
    bff.child.kill('SIGTERM');
    expect(await bff.exited).toEqual({ code: 0, signal: null });
    expect(bff.output()).toContain('SIGTERM: draining (delay 0 ms');
  }, 40_000);
});
