import { pathRuleViolation } from '@app/core';
import { InvalidPathError } from './routing.errors';
import type { CompiledRoute } from './route-table.types';

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A `.` or `..` segment, literal. */
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;
/** What a decoded segment must not contain: separators, controls, or a second encoding layer. */
// eslint-disable-next-line no-control-regex -- see above
const BAD_DECODED = /[/\\\u0000-\u001f\u007f]|%(2e|2f|5c|00)/i;

function checkEncodedSegments(rest: string): void {
  for (const segment of rest.split('/')) {
    if (!segment.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new InvalidPathError('The request path has a malformed percent-encoding');
    }
    if (decoded === '.' || decoded === '..' || BAD_DECODED.test(decoded)) {
      throw new InvalidPathError(
        'The request path has encoded dots, slashes or control characters',
      );
    }
  }
}

/**
 * The downstream path (with the raw query) for a request under `route`, or an
 * {@link InvalidPathError}: absolute-form and `//host` targets, backslashes, control characters,
 * `;` (literal or `%3b`, so `..;` too), `.`/`..` segments (literal or percent-encoded), encoded
 * slashes and double encoding are all refused, so nothing can leave the route's prefix. The path
 * is otherwise passed as sent.
 */
export function resolveUpstreamPath(rawUrl: string, route: CompiledRoute): string {
  // Origin-form only: "/x". Absolute-form ("http://evil/") and "//evil" never reach a downstream.
  if (rawUrl.charCodeAt(0) !== 0x2f || rawUrl.charCodeAt(1) === 0x2f) {
    throw new InvalidPathError('Only origin-form request targets are accepted');
  }
  if (CONTROL.test(rawUrl) || rawUrl.includes('\\') || rawUrl.includes('#')) {
    throw new InvalidPathError('The request target has control characters or backslashes');
  }
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? '' : rawUrl.slice(q);
  const prefix = route.prefix;
  if (
    !path.startsWith(prefix) ||
    (path.length > prefix.length && path.charCodeAt(prefix.length) !== 0x2f)
  ) {
    throw new InvalidPathError('The request path is outside the route');
  }
  const rest = path.slice(prefix.length);
  // The path rule, always strict here: no `;` (literal or %3b) is ever forwarded, whatever
  // BFF_PATH_SEMICOLONS lets through to the BFF's own endpoints (Tomcat-style servers read
  // `/a/..;/b` as `/b`).
  const violation = pathRuleViolation(rest, 'reject');
  if (violation !== undefined) throw new InvalidPathError(violation);
  if (rest.includes('//') || DOT_SEGMENT.test(rest)) {
    throw new InvalidPathError('The request path has empty or dot segments');
  }
  if (rest.includes('%')) checkEncodedSegments(rest);
  if (query.length > 0 && /%00/.test(query)) {
    throw new InvalidPathError('The query string has an encoded NUL');
  }
  const base = route.rewrite === undefined ? prefix : route.rewrite;
  const target = base + rest;
  return (target === '' ? '/' : target) + query;
}
