/**
 * A strict parser for RFC 8941 (Structured Field Values) Lists, enough to check the RateLimit
 * fields: every syntax error throws, as RFC 8941 section 4.2 requires of a recipient.
 */
export type BareItem = number | string | boolean | { token: string } | { bytes: string };
export interface SfItem {
  value: BareItem;
  params: Record<string, BareItem>;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  list(): SfItem[] {
    const out: SfItem[] = [];
    this.ows(' ');
    if (this.i >= this.s.length) return out;
    for (;;) {
      out.push(this.item());
      this.ows(' \t');
      if (this.i >= this.s.length) return out;
      this.expect(',');
      this.ows(' \t');
      if (this.i >= this.s.length) throw new Error('trailing comma');
    }
  }

  private item(): SfItem {
    if (this.peek() === '(') throw new Error('inner lists are not expected here');
    const value = this.bare();
    const params: Record<string, BareItem> = {};
    while (this.peek() === ';') {
      this.i++;
      this.ows(' ');
      const key = this.key();
      let v: BareItem = true;
      if (this.peek() === '=') {
        this.i++;
        v = this.bare();
      }
      params[key] = v;
    }
    return { value, params };
  }

  private bare(): BareItem {
    const c = this.peek();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === '"') return this.string();
    if (c === ':') return this.bytes();
    if (c === '?') return this.boolean();
    if (/[A-Za-z*]/.test(c)) return this.token();
    throw new Error(`unexpected "${c}" at ${this.i}`);
  }

  private number(): number {
    const m = /^-?\d{1,15}(\.\d{1,3})?/.exec(this.s.slice(this.i));
    if (m === null) throw new Error(`bad number at ${this.i}`);
    if (m[1] === undefined && m[0].replace('-', '').length > 15)
      throw new Error('integer too long');
    this.i += m[0].length;
    return Number(m[0]);
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) throw new Error('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const n = this.s[this.i++];
        if (n !== '"' && n !== '\\') throw new Error('bad escape');
        out += n;
      } else if (c < ' ' || c > '~') {
        throw new Error('invalid string character');
      } else {
        out += c;
      }
    }
  }

  private bytes(): { bytes: string } {
    const m = /^:([A-Za-z0-9+/=]*):/.exec(this.s.slice(this.i));
    if (m === null) throw new Error('bad byte sequence');
    this.i += m[0].length;
    return { bytes: m[1] };
  }

  private boolean(): boolean {
    const m = /^\?([01])/.exec(this.s.slice(this.i));
    if (m === null) throw new Error('bad boolean');
    this.i += 2;
    return m[1] === '1';
  }

  private token(): { token: string } {
    const m = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/.exec(this.s.slice(this.i));
    if (m === null) throw new Error('bad token');
    this.i += m[0].length;
    return { token: m[0] };
  }

  private key(): string {
    const m = /^[a-z*][a-z0-9_\-.*]*/.exec(this.s.slice(this.i));
    if (m === null) throw new Error(`bad key at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  private peek(): string {
    return this.s[this.i] ?? '';
  }

  private expect(c: string): void {
    if (this.s[this.i] !== c) throw new Error(`expected "${c}" at ${this.i}`);
    this.i++;
  }

  private ows(chars: string): void {
    while (this.i < this.s.length && chars.includes(this.s[this.i])) this.i++;
  }
}

/** Parses an RFC 8941 List field value; throws on any syntax error. */
export function parseSfList(value: string): SfItem[] {
  return new Parser(value).list();
}

/** RateLimit / RateLimit-Policy items by policy name, with integer parameters only. */
export function rateLimitItems(value: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const item of parseSfList(value)) {
    if (typeof item.value !== 'string') throw new Error('policy names must be sf-strings');
    const params: Record<string, number> = {};
    for (const [k, v] of Object.entries(item.params)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new Error(`${k} must be a non-negative sf-integer`);
      }
      params[k] = v;
    }
    out[item.value] = params;
  }
  return out;
}
