import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type DownstreamDouble, fixed, startDownstream } from './support/downstream-doubles';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';

/** 4 KiB of JSON: well above the 1 KiB threshold. */
const BIG_JSON = JSON.stringify({
  items: Array.from({ length: 100 }, (_, i) => `item-${i}-xxxxxxxxxxxxxxxxxxxxxxxxx`),
});

/**
 * Compression of the web BFF on pass-through answers: negotiated for JSON, never for an event
 * stream, an image or an answer the origin already encoded.
 */
describe('web compression on pass-through answers', () => {
  let sandbox: Sandbox;
  let origin: DownstreamDouble;
  let web: RunningApp;

  beforeAll(async () => {
    sandbox = await startSandbox();
    origin = await startDownstream({
      '/json': fixed({ headers: { 'content-type': 'application/json' }, body: BIG_JSON }),
      '/gz': fixed({
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(BIG_JSON),
      }),
      '/png': fixed({ headers: { 'content-type': 'image/png' }, body: randomBytes(4096) }),
      '/events': fixed({
        headers: { 'content-type': 'text/event-stream' },
        body: `data: ${'x'.repeat(4096)}\n\n`,
      }),
    });
    const file = join(
      tmpdir(),
      `bff-compress-${process.pid}-${randomBytes(3).toString('hex')}.json`,
    );
    writeFileSync(
      file,
      JSON.stringify({
        routes: [
          { name: 'origin', prefix: '/o', service: 'origin', auth: 'public' },
          { name: 'events', prefix: '/sse', service: 'origin', auth: 'public', streaming: true },
        ],
      }),
    );
    web = await startApp(createWebBff, sandbox, {
      WEB_BFF_ROUTES_FILE: file,
      DOWNSTREAM_SERVICES: 'users,orders,catalog,inventory,reviews,origin',
      DOWNSTREAM_ORIGIN_URL: origin.url,
      RATE_LIMIT_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await web?.app.close();
    await origin?.close();
    await sandbox?.close();
  });

  const get = (path: string, acceptEncoding = 'br, gzip') =>
    request(`${web.url}${path}`, { headers: { 'accept-encoding': acceptEncoding } });

  it('compresses a large JSON answer by Accept-Encoding', async () => {
    const br = await get('/o/json');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.body.arrayBuffer())).toString()).toBe(
      BIG_JSON,
    );
    const gz = await get('/o/json', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.body.arrayBuffer())).toString()).toBe(BIG_JSON);
  });

  it('passes an answer the origin already gzipped on as it is, not compressed again', async () => {
    const res = await get('/o/gz', 'br, gzip');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString()).toBe(BIG_JSON);
  });

  it('never compresses an event stream or an image', async () => {
    const events = await get('/sse/events');
    expect(events.statusCode).toBe(200);
    expect(events.headers['content-encoding']).toBeUndefined();
    expect(await events.body.text()).toMatch(/^data: x{4096}\n\n$/);
    const png = await get('/o/png');
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(await png.body.arrayBuffer())).toHaveLength(4096);
  });
});
