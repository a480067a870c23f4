import { CursorCodec } from './cursor.codec';
import { nextPageCursor, readPageCursor } from './page-cursor';

describe('page cursors', () => {
  const codec = new CursorCodec('test-secret');
  const rules = { listing: 'products|toys|', defaultLimit: 20, maxLimit: 50 };

  it('walks pages with the size of the first request', () => {
    const first = readPageCursor(codec, undefined, 7, rules);
    expect(first).toEqual({ page: 1, size: 7 });
    const next = nextPageCursor(codec, first, 15, rules);
    expect(next).toEqual(expect.any(String));
    const second = readPageCursor(codec, next as string, undefined, rules);
    expect(second).toEqual({ page: 2, size: 7 });
    expect(readPageCursor(codec, next as string, 7, rules)).toEqual(second);
    const third = readPageCursor(
      codec,
      nextPageCursor(codec, second, 15, rules) as string,
      undefined,
      rules,
    );
    expect(third).toEqual({ page: 3, size: 7 });
    expect(nextPageCursor(codec, third, 15, rules)).toBeNull();
    expect(readPageCursor(codec, undefined, undefined, rules)).toEqual({ page: 1, size: 20 });
  });

  it('refuses a cursor of another listing, a changed limit and forged ones', () => {
    const cursor = nextPageCursor(codec, { page: 1, size: 5 }, 100, rules) as string;
    const other = { ...rules, listing: 'products|books|' };
    expect(() => readPageCursor(codec, cursor, undefined, other)).toThrow(/not valid/);
    expect(() => readPageCursor(codec, cursor, 6, rules)).toThrow(/limit cannot change/);
    const forged = codec.encode({ p: 2, s: 500, l: rules.listing });
    expect(() => readPageCursor(codec, forged, undefined, rules)).toThrow(/not valid/);
    expect(() => readPageCursor(codec, 'garbage', undefined, rules)).toThrow(/not valid/);
    // Signed with another secret (another deployment's cursor).
    expect(() => readPageCursor(new CursorCodec('other'), cursor, undefined, rules)).toThrow(
      /not valid/,
    );
  });
});
