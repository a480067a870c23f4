import compress from '@fastify/compress';
import Fastify, { type FastifyInstance } from 'fastify';
import { gzipSync } from 'node:zlib';
import { compressionOptions } from './compression';

describe('compressionOptions', () => {
  let app: FastifyInstance;
  const big = 'x'.repeat(4096);

  beforeAll(async () => {
    app = Fastify();
    await app.register(compress, compressionOptions({ thresholdBytes: 1024 }));
    app.get('/json', (_req, reply) => reply.type('application/json; charset=utf-8').send({ big }));
    app.get('/vendor', (_req, reply) => reply.type('application/vnd.mobile.v2+json').send(big));
    app.get('/small', (_req, reply) => reply.type('application/json').send({ ok: true }));
    app.get('/events', (_req, reply) => reply.type('text/event-stream').send(`data: ${big}\n\n`));
    app.get('/png', (_req, reply) => reply.type('image/png').send(Buffer.alloc(4096)));
    app.get('/zip', (_req, reply) => reply.type('application/zip').send(Buffer.alloc(4096)));
    app.get('/pre-gzipped', (_req, reply) =>
      reply.type('application/json').header('content-encoding', 'gzip').send(gzipSync(big)),
    );
    await app.ready();
  });

  afterAll(() => app.close());

  const encodingOf = async (url: string, accept = 'br, gzip') =>
    (await app.inject({ url, headers: { 'accept-encoding': accept } })).headers['content-encoding'];

  it('negotiates br, then gzip, for JSON above the threshold', async () => {
    expect(await encodingOf('/json')).toBe('br');
    expect(await encodingOf('/json', 'gzip')).toBe('gzip');
    expect(await encodingOf('/vendor', 'gzip')).toBe('gzip');
    expect(await encodingOf('/json', 'identity')).toBeUndefined();
  });

  it('leaves small, event-stream, image, archive and already-encoded bodies as they are', async () => {
    expect(await encodingOf('/small')).toBeUndefined();
    expect(await encodingOf('/events')).toBeUndefined();
    expect(await encodingOf('/png')).toBeUndefined();
    expect(await encodingOf('/zip')).toBeUndefined();
    // Already gzip: neither compressed twice nor relabelled.
    expect(await encodingOf('/pre-gzipped', 'br')).toBe('gzip');
  });
});
