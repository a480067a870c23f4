import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'prom-client';
import { request } from 'undici';
import {
  type DownstreamDouble,
  type DownstreamHandler,
  fixed,
  slow,
  startDownstream,
} from './support/downstream-doubles';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';

/**
 * Pass-through answers are bounded per route: a total time (`responseTimeoutMs`) and a size
 * (`maxResponseBytes`); an answer past either is cut off, never completed as a clean 200.
 * Streaming routes opt out.
 */

/** /slow: 1 byte every 100 ms for 2 s, unsized; /huge: 4 MiB chunked; /declared: Content-Length 4 MiB. */
function startOrigin(): Promise<DownstreamDouble> {
  const big: DownstreamHandler = (req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    if (req.url?.startsWith('/declared')) {
      res.writeHead(200, { 'content-length': String(64 * chunk.length) });
    } else res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const pump = (): void => {
      while (sent < 64) {
        sent++;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  };
  return startDownstream({
    '/fail': fixed({
      status: 500,
      headers: { 'content-type': 'text/plain', 'x-origin': 'yes' },
      body: 'origin says no',
    }),
    '/slow': slow({
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(20),
      pieceEveryMs: 100,
    }),
    '/': big,
  });
}

/** Reads a whole answer; `complete` is false when the connection broke before its end. */
async function readAll(
  url: string,
): Promise<{ status: number; bytes: number; complete: boolean; ms: number }> {
  const started = performance.now();
  const res = await request(url);
  let bytes = 0;
  try {
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    return { status: res.statusCode, bytes, complete: true, ms: performance.now() - started };
  } catch {
    return { status: res.statusCode, bytes, complete: false, ms: performance.now() - started };
  }
}

describe('bounded pass-through answers', () => {
  let sandbox: Sandbox;
  let origin: DownstreamDouble;
  let app: RunningApp;

  beforeAll(async () => {
    sandbox = await startSandbox();
    origin = await startOrigin();
    const file = join(tmpdir(), `bff-bounds-${process.pid}-${randomBytes(3).toString('hex')}.json`);
    const base = { service: 'origin', auth: 'public' };
    writeFileSync(
      file,
      JSON.stringify({
        routes: [
          {
            ...base,
            name: 'bounded',
            prefix: '/b',
            responseTimeoutMs: 1_000,
            maxResponseBytes: 1_048_576,
          },
          { ...base, name: 'stream', prefix: '/s', streaming: true },
          { ...base, name: 'relay', prefix: '/r', upstreamErrors: 'relay', retries: 0 },
        ],
      }),
    );
    app = await startApp(createWebBff, sandbox, {
      WEB_BFF_ROUTES_FILE: file,
      DOWNSTREAM_SERVICES: 'users,orders,catalog,inventory,reviews,origin',
      DOWNSTREAM_ORIGIN_URL: origin.url,
      RATE_LIMIT_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await origin?.close();
    await app?.app.close();
    await sandbox?.close();
  });

  it('cuts off an answer that is still running at responseTimeoutMs', async () => {
    const slow = await readAll(`${app.url}/b/slow`);
    expect(slow.status).toBe(200);
    expect(slow.complete).toBe(false);
    expect(slow.ms).toBeGreaterThanOrEqual(900);
    expect(slow.ms).toBeLessThan(1_900);
  });

  it('cuts off an unsized answer past maxResponseBytes, and refuses a declared one with 502', async () => {
    const huge = await readAll(`${app.url}/b/huge`);
    expect(huge.complete).toBe(false);
    expect(huge.bytes).toBeLessThanOrEqual(1_048_576);
    const declared = await readAll(`${app.url}/b/declared`);
    expect(declared.status).toBe(502);
  });

  it('leaves streaming routes alone', async () => {
    const slow = await readAll(`${app.url}/s/slow`);
    expect(slow.complete).toBe(true);
    expect(slow.bytes).toBe(20);
    const huge = await readAll(`${app.url}/s/huge`);
    expect([huge.complete, huge.bytes]).toEqual([true, 4 * 1_048_576]);
  });

  it('relays a downstream 5xx answer on a relay route; the default gives the typed JSON error', async () => {
    const relayed = await fetch(`${app.url}/r/fail`);
    expect(relayed.status).toBe(500);
    expect(relayed.headers.get('x-origin')).toBe('yes');
    expect(await relayed.text()).toBe('origin says no');
    const typed = await fetch(`${app.url}/b/fail`);
    expect(typed.status).toBe(502);
    expect(((await typed.json()) as { code: string }).code).toBe('BAD_UPSTREAM_RESPONSE');
  });

  it('counts what it cut off', async () => {
    const values = (await register.getSingleMetric('bff_proxy_responses_aborted_total')?.get())
      ?.values;
    const count = (reason: string) =>
      values?.find((v) => v.labels.route === 'bounded' && v.labels.reason === reason)?.value ?? 0;
    expect(count('too-slow')).toBe(1);
    expect(count('too-large')).toBe(2);
  });
});
