/** `reject`: any `;` in a path is refused; `allow`: matrix parameters pass, `.;`/`..;` never. */
export type SemicolonMode = 'reject' | 'allow';

/** Whether `path[i..]` starts with `%3b` (any case). */
function encodedSemicolonAt(path: string, i: number): boolean {
  return (
    path.charCodeAt(i) === 0x25 &&
    path.charCodeAt(i + 1) === 0x33 &&
    (path.charCodeAt(i + 2) | 0x20) === 0x62
  );
}

/** `.` or `..`, literal or with `%2e` for any dot. */
function isDotName(name: string): boolean {
  const plain = name.length <= 2 ? name : name.replace(/%2e/gi, '.');
  return plain === '.' || plain === '..';
}

/**
 * The one path rule of every BFF, checked on the raw request target before routing (and again by
 * the pass-through proxy, always in `reject` mode): a `;` in the path, literal or percent-encoded
 * (`%3b`), is refused, because servers disagree on it (Tomcat and Jetty drop `;params` from a
 * segment, so `/a/..;/b` is `/b` to them and `/a/..;/b` to everyone else). With `allow`, path
 * parameters reach the BFF's own endpoints, but a segment that is `.` or `..` before its `;`
 * is still refused. The query string is not checked. Returns the reason, or undefined when the
 * path is fine; cheap on the hot path (one scan for `;` and `%`, no regex unless one is found).
 */
export function pathRuleViolation(target: string, mode: SemicolonMode): string | undefined {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  let semicolon = path.indexOf(';');
  if (semicolon === -1) {
    const percent = path.indexOf('%');
    if (percent === -1) return undefined;
    for (let i = percent; i !== -1; i = path.indexOf('%', i + 1)) {
      if (encodedSemicolonAt(path, i)) {
        semicolon = i;
        break;
      }
    }
    if (semicolon === -1) return undefined;
  }
  if (mode === 'reject') return 'The request path has a ";" (literal or %3b)';
  // Allowed: every segment's name (what comes before its first ";") must not be a dot segment.
  for (const segment of path.split('/')) {
    let end = segment.indexOf(';');
    for (let i = segment.indexOf('%'); i !== -1 && (end === -1 || i < end);) {
      if (encodedSemicolonAt(segment, i)) {
        end = i;
        break;
      }
      i = segment.indexOf('%', i + 1);
    }
    if (end !== -1 && isDotName(segment.slice(0, end))) {
      return 'The request path has a dot segment with parameters (".;" or "..;")';
    }
  }
  return undefined;
}
