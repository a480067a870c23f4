import compress, { type FastifyCompressOptions } from '@fastify/compress';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { constants } from 'node:zlib';

/** Options of {@link applyCompression}. */
export interface CompressionOptions {
  /** Bodies smaller than this many bytes are sent as they are (not worth the CPU). Default 1024. */
  thresholdBytes?: number;
}

/**
 * Types worth compressing: text (not `text/event-stream`: each event must reach the client when
 * written, and a compressor buffers), JSON, XML, JavaScript and SVG. Types not matched here fall
 * back to mime-db's `compressible` flag inside @fastify/compress, which is false for images,
 * archives and other already-compressed formats (and unknown for event streams).
 */
const COMPRESSIBLE =
  /^(?:text\/(?!event-stream)[^;]+|application\/(?:[\w.-]+\+)?(?:json|xml)|application\/javascript|image\/svg\+xml)\s*(?:;|$)/i;

/**
 * The one compression setup of every BFF (web, mobile, admin): br or gzip by `Accept-Encoding`
 * (@fastify/compress), above a size threshold, never for bodies that already carry a
 * `Content-Encoding` (a downstream's gzip passed through), already-compressed types or event
 * streams. Brotli runs at quality 4: near gzip speed with smaller output (the default, 11, costs
 * milliseconds per response).
 */
export function compressionOptions(options: CompressionOptions = {}): FastifyCompressOptions {
  return {
    threshold: options.thresholdBytes ?? 1024,
    encodings: ['br', 'gzip'],
    customTypes: COMPRESSIBLE,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  };
}

/** Registers {@link compressionOptions} on the app. */
export async function applyCompression(
  app: NestFastifyApplication,
  options: CompressionOptions = {},
): Promise<void> {
  await app.register(compress, compressionOptions(options));
}
