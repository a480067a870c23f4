import { loadConfig } from '@app/config';
import { applyCompression } from '@app/platform';
import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { ADMIN_SCOPES, type TestIssuer, startTestIssuer } from './support/auth';
import { createFixtureApp } from './support/fixture-app';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';
import { listen } from '@app/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const BIG_TEXT = 'event: tick\ndata: {"n":1}\n\n'.repeat(200);
const BIG_JSON = { items: Array.from({ length: 200 }, (_, i) => ({ id: `item_${i}`, n: i })) };

@Controller()
class BodiesController {
  @Get('big-json')
  bigJson() {
    return BIG_JSON;
  }

  @Get('small')
  small() {
    return { ok: true };
  }

  @Get('events')
  @Header('content-type', 'text/event-stream')
  events() {
    return BIG_TEXT;
  }

  @Get('png')
  @Header('content-type', 'image/png')
  png() {
    return Buffer.alloc(8192, 7);
  }

  @Get('pre-gzipped')
  preGzipped(@Res() reply: FastifyReply) {
    // A body that is already encoded (as a downstream's gzip passed through).
    void reply
      .header('content-type', 'application/json')
      .header('content-encoding', 'gzip')
      .send(gzipSync(JSON.stringify(BIG_JSON)));
  }
}

const fetchRaw = async (
  url: string,
  acceptEncoding?: string,
  headers: Record<string, string> = {},
) => {
  const res = await request(url, {
    headers: {
      ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }),
      ...headers,
    },
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return {
    status: res.statusCode,
    encoding: res.headers['content-encoding'],
    vary: res.headers.vary,
    body,
  };
};

describe('compression: one setup in libs/platform (web, mobile, admin)', () => {
  let fixture: NestFastifyApplication;
  let fixtureUrl: string;

  beforeAll(async () => {
    fixture = await createFixtureApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), {
      controllers: [BodiesController],
    });
    await applyCompression(fixture);
    fixtureUrl = await listen(fixture, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('compresses JSON above the threshold with br or gzip, as negotiated', async () => {
    const br = await fetchRaw(`${fixtureUrl}/big-json`, 'gzip, br');
    expect(br.encoding).toBe('br');
    expect(br.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(BIG_JSON);

    const gz = await fetchRaw(`${fixtureUrl}/big-json`, 'gzip');
    expect(gz.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.body).toString())).toEqual(BIG_JSON);

    const plain = await fetchRaw(`${fixtureUrl}/big-json`);
    expect(plain.encoding).toBeUndefined();
    expect(JSON.parse(plain.body.toString())).toEqual(BIG_JSON);
  });

  it('leaves small bodies, event streams, images and encoded bodies alone', async () => {
    const small = await fetchRaw(`${fixtureUrl}/small`, 'br, gzip');
    expect(small.encoding).toBeUndefined();
    expect(JSON.parse(small.body.toString())).toEqual({ ok: true });

    const events = await fetchRaw(`${fixtureUrl}/events`, 'br, gzip');
    expect(events.encoding).toBeUndefined();
    expect(events.body.toString()).toBe(BIG_TEXT);

    const png = await fetchRaw(`${fixtureUrl}/png`, 'br, gzip');
    expect(png.encoding).toBeUndefined();
    expect(png.body.length).toBe(8192);

    // Not compressed twice: the body stays the one gzip layer it came with.
    const pre = await fetchRaw(`${fixtureUrl}/pre-gzipped`, 'br, gzip');
    expect(pre.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(pre.body).toString())).toEqual(BIG_JSON);
  });

  describe('admin-bff', () => {
    let sandbox: Sandbox;
    let issuer: TestIssuer;
    let admin: RunningApp;

    beforeAll(async () => {
      sandbox = await startSandbox();
      issuer = await startTestIssuer();
      admin = await startApp(createAdminBff, sandbox, issuer.env);
    });

    afterAll(async () => {
      await admin?.app.close();
      await sandbox?.close();
      await issuer?.close();
    });

    const token = () =>
      issuer.headers({
        sub: 'staff_admin',
        roles: ['admin'],
        aud: 'admin-bff',
        scope: ADMIN_SCOPES,
      });

    it('compresses a list of 50 orders and sends a small answer plain', async () => {
      const url = `${admin.url}/orders?pageSize=50`;
      const br = await fetchRaw(url, 'br', token());
      expect(br.status).toBe(200);
      expect(br.encoding).toBe('br');
      const list = JSON.parse(brotliDecompressSync(br.body).toString());
      expect(list.items).toHaveLength(50);

      const gz = await fetchRaw(url, 'gzip', token());
      expect(gz.encoding).toBe('gzip');
      const plain = gunzipSync(gz.body);
      expect(JSON.parse(plain.toString()).items).toHaveLength(50);
      // Order lists are repetitive JSON: at least 3x smaller.
      expect(gz.body.length * 3).toBeLessThan(plain.length);

      const none = await fetchRaw(url, undefined, token());
      expect(none.encoding).toBeUndefined();
      expect(JSON.parse(none.body.toString()).items).toHaveLength(50);

      const live = await fetchRaw(`${admin.url}/health/live`, 'br, gzip');
      expect(live.status).toBe(200);
      expect(live.encoding).toBeUndefined();
    });
  });
});
