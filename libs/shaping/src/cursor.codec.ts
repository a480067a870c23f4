import { createHmac, timingSafeEqual } from 'node:crypto';
import { ShapingInputError } from './shaping.errors';

const MAX_CURSOR_LENGTH = 512;

/**
 * Opaque, signed pagination cursors: base64url JSON plus an HMAC-SHA256 tag, so clients cannot
 * forge positions or reuse a cursor with other filters (the filters are bound into it).
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  encode(payload: Readonly<Record<string, string | number>>): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The payload of a valid cursor; a 400 for anything malformed, forged or foreign. */
  decode(cursor: string): Record<string, unknown> {
    const dot = cursor.indexOf('.');
    if (cursor.length > MAX_CURSOR_LENGTH || dot <= 0) throw invalid();
    const body = cursor.slice(0, dot);
    const tag = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(body), 'base64url');
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected)) throw invalid();
    try {
      const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
        throw invalid();
      return payload as Record<string, unknown>;
    } catch {
      throw invalid();
    }
  }

  private sign(body: string): string {
    // 128 bits of tag are plenty for a cursor and keep it short.
    return createHmac('sha256', this.key)
      .update(body)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}

function invalid(): ShapingInputError {
  return new ShapingInputError('INVALID_CURSOR', 'The cursor is not valid for this listing');
}
