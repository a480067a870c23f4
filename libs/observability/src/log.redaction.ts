/** Headers that carry credentials; their values never reach a log line. */
export const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
] as const;

/** Where headers appear in our lines and in objects other code may log. */
const HEADER_HOLDERS = [
  'headers',
  'req.headers',
  'res.headers',
  'request.headers',
  'response.headers',
];

/** pino `redact` paths: every secret header under every holder. */
export const REDACT_PATHS: string[] = HEADER_HOLDERS.flatMap((holder) =>
  SECRET_HEADERS.map((name) => `${holder}["${name}"]`),
);

export const REDACTED = '[Redacted]';

/** Query parameter names that usually hold a credential. */
const SECRET_PARAM =
  /token|secret|passw|pwd|api[-_]?key|apikey|auth|session|sig|credential|jwt|assertion|^code$|^key$/i;
/** A JWT (or any JWS) whatever the parameter is called. */
const JWT_VALUE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/** The URL with the value of every token-looking query parameter replaced; no cost without a query. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const pairs = url.slice(q + 1).split('&');
  for (let i = 0; i < pairs.length; i++) {
    const eq = pairs[i].indexOf('=');
    if (eq === -1) continue;
    const name = safeDecode(pairs[i].slice(0, eq));
    const value = safeDecode(pairs[i].slice(eq + 1));
    if (SECRET_PARAM.test(name) || JWT_VALUE.test(value)) {
      pairs[i] = `${pairs[i].slice(0, eq)}=${REDACTED}`;
    }
  }
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
