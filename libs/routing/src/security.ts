import compress, { type FastifyCompressOptions } from '@fastify/compress';
import { constants } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Media types worth compressing: JSON, XML, JavaScript and text, never `text/event-stream` (a
 * compressor buffers, so events would arrive late). Other types fall back to mime-db's
 * `compressible` flag, which is false for images and archives (already compressed).
 */
const COMPRESSIBLE =
  /^(?:text\/(?!event-stream)|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript)(?:;|$))/i;

/**
 * Options of {@link applyCompression}: br then gzip by `Accept-Encoding` above `thresholdBytes`.
 * A body that already has a `Content-Encoding` (a pass-through route's) is left alone by the
 * plugin. Brotli runs at quality 4: near gzip speed with smaller output (the default, 11, costs
 * milliseconds per response).
 */
export function compressionOptions(thresholdBytes = 1024): FastifyCompressOptions {
  return {
    threshold: thresholdBytes,
    encodings: ['br', 'gzip'],
    customTypes: COMPRESSIBLE,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  };
}

/** gzip/brotli responses (@fastify/compress) as {@link compressionOptions} says. */
export async function applyCompression(
  app: NestFastifyApplication,
  thresholdBytes = 1024,
): Promise<void> {
  await app.register(compress, compressionOptions(thresholdBytes));
}
