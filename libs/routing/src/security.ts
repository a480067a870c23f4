import compress from '@fastify/compress';
import { constants } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * gzip/brotli by `Accept-Encoding` (@fastify/compress) above `thresholdBytes`. Brotli runs at
 * quality 4: near gzip speed with smaller output (the default, 11, costs milliseconds per response).
 */
export async function applyCompression(
  app: NestFastifyApplication,
  thresholdBytes = 1024,
): Promise<void> {
  await app.register(compress, {
    threshold: thresholdBytes,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  });
}
