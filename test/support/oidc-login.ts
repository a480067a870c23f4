/** A minimal cookie jar over fetch: enough to drive the sandbox IdP's login without a browser. */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>();

  store(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(host, jar);
  }

  header(url: string): string {
    const jar = this.cookies.get(new URL(url).host);
    return jar === undefined ? '' : [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).host)?.get(name);
  }

  /** One request without following redirects; cookies are sent and stored. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie !== '') headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res);
    return res;
  }
}

export interface LoginTrace {
  /** The last response (the BFF's redirect after the callback, or the failing step). */
  response: Response;
  /** Every URL visited, in order. */
  visited: string[];
}

/**
 * Follows a login from `startUrl` (the BFF's `/auth/login` or an IdP authorization URL):
 * redirects are followed, the sandbox login form is submitted with `userId`, and the walk
 * stops at the first URL for which `stop(url)` is true (not fetched) or at a non-redirect.
 */
export async function walkLogin(
  jar: CookieJar,
  startUrl: string,
  userId: string,
  stop: (url: string) => boolean = () => false,
): Promise<LoginTrace & { stoppedAt?: string }> {
  const visited: string[] = [];
  let url = startUrl;
  let init: RequestInit = {};
  for (let i = 0; i < 15; i++) {
    if (stop(url)) return { response: new Response(null), visited, stoppedAt: url };
    visited.push(url);
    const res = await jar.fetch(url, init);
    init = {};
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location') ?? '', url).href;
      continue;
    }
    const text = res.status === 200 ? await res.clone().text() : '';
    const form = /<form method="post" action="([^"]+\/login)"/.exec(text);
    if (form === null) return { response: res, visited };
    url = new URL(form[1], url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: userId }).toString(),
    };
  }
  throw new Error(`login did not finish: ${visited.join(' -> ')}`);
}
