import { DisplayString, Token, parseList, type BareItem as SfBareItem } from 'structured-headers';

/**
 * RFC 9651 (Structured Field Values, obsoletes RFC 8941) Lists as plain objects, parsed by
 * `structured-headers`, enough to check the RateLimit fields: every syntax error throws, as
 * RFC 9651 section 4.2 requires of a recipient.
 */
export type BareItem =
  | number
  | string
  | boolean
  | { token: string }
  | { bytes: string }
  | { date: number }
  | { display: string };
export interface SfItem {
  value: BareItem;
  params: Record<string, BareItem>;
}

function plain(item: SfBareItem): BareItem {
  if (item instanceof Token) return { token: item.toString() };
  if (item instanceof DisplayString) return { display: item.toString() };
  if (item instanceof Date) return { date: item.getTime() / 1000 };
  if (typeof item === 'object') {
    const view = ArrayBuffer.isView(item)
      ? Buffer.from(item.buffer, item.byteOffset, item.byteLength)
      : Buffer.from(item);
    return { bytes: view.toString('base64') };
  }
  return item;
}

/** Parses an RFC 9651 List field value; throws on any syntax error. */
export function parseSfList(value: string): SfItem[] {
  return parseList(value).map(([member, params]) => {
    if (Array.isArray(member)) throw new Error('inner lists are not expected here');
    const out: Record<string, BareItem> = {};
    for (const [key, v] of params) out[key] = plain(v);
    return { value: plain(member), params: out };
  });
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
