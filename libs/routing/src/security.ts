import type { FastifyReply, FastifyRequest } from 'fastify';
import compress from '@fastify/compress';
import helmet from '@fastify/helmet';
import { constants } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

// CORS of the web BFF lives in ONE place: `spaCorsOptions` of @app/session (WEB_SPA_ORIGINS,
// credentials only for those origins), registered in web-bff.app.ts. Do not add a second one here.

/** For JSON APIs: nothing may be loaded, framed or submitted from a response. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** The Swagger UI page needs its own scripts, inline styles and data: images. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Security headers for an API (@fastify/helmet): HSTS, nosniff, frame-ancestors none / DENY,
 * no referrer, and a CSP chosen per path (strict for the API, relaxed for `/docs`).
 */
export async function applySecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: false,
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    const url = request.url;
    reply.header(
      'content-security-policy',
      url.startsWith('/docs') && (url.length === 5 || url[5] === '/' || url[5] === '?')
        ? DOCS_CSP
        : API_CSP,
    );
    done();
  });
}

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
