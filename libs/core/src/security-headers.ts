import type { FastifyReply } from 'fastify';

/**
 * The security headers of every BFF answer, as @fastify/helmet set them with this project's
 * options (HSTS one year with subdomains, frame-ancestors none / DENY, no referrer, same-site
 * resources), computed once: helmet's per-request middleware chain was about 5 % of a
 * pass-through profile. `security-headers.spec.ts` checks the block against helmet itself.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

/** For JSON APIs: nothing may be loaded, framed or submitted from a response. */
export const API_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** The Swagger UI page needs its own scripts, inline styles and data: images. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const NAMES = Object.keys(SECURITY_HEADERS);
const VALUES = Object.values(SECURITY_HEADERS);

/** Sets the block and the CSP for `url` (strict for the API, relaxed for `/docs`). */
export function setSecurityHeaders(reply: FastifyReply, url: string): void {
  for (let i = 0; i < NAMES.length; i++) reply.header(NAMES[i], VALUES[i]);
  reply.header(
    'content-security-policy',
    url.startsWith('/docs') && (url.length === 5 || url[5] === '/' || url[5] === '?')
      ? DOCS_CSP
      : API_CSP,
  );
}
