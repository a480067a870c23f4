/**
 * Value of one cookie from a `Cookie` header, without parsing the others: the session hook runs
 * on every request and only needs its own cookie.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let from = 0;
  while (from < header.length) {
    const at = header.indexOf(name, from);
    if (at === -1) return undefined;
    const before = at === 0 ? ';' : header[at - 1];
    const eq = at + name.length;
    if ((before === ';' || before === ' ') && header[eq] === '=') {
      const end = header.indexOf(';', eq);
      const value = header.slice(eq + 1, end === -1 ? undefined : end).trim();
      return value === '' ? undefined : value;
    }
    from = at + name.length;
  }
  return undefined;
}

export interface CookieOptions {
  secure: boolean;
  sameSite: 'lax' | 'strict';
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

/** `Set-Cookie` value: always httpOnly and host-only on `/` (what the `__Host-` prefix demands). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const sameSite = options.sameSite === 'strict' ? 'Strict' : 'Lax';
  return (
    `${name}=${value}; Path=/; HttpOnly; SameSite=${sameSite}; Max-Age=${options.maxAge}` +
    (options.secure ? '; Secure' : '')
  );
}
