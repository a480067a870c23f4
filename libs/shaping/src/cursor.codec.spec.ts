import { CursorCodec } from './cursor.codec';
import { ShapingInputError } from './shaping.errors';

describe('CursorCodec', () => {
  const codec = new CursorCodec('a-secret-of-sufficient-length');

  it('round-trips an opaque cursor', () => {
    const cursor = codec.encode({ p: 2, s: 20, c: 'books' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.decode(cursor)).toEqual({ p: 2, s: 20, c: 'books' });
  });

  it.each([
    [
      'tampered payload',
      (c: string) =>
        `${Buffer.from('{"p":99,"s":20,"c":"books"}').toString('base64url')}${c.slice(c.indexOf('.'))}`,
    ],
    ['tampered tag', (c: string) => `${c.slice(0, -2)}AA`],
    ['no tag', (c: string) => c.slice(0, c.indexOf('.'))],
    ['garbage', () => 'not-a-cursor'],
    ['too long', () => 'a'.repeat(600)],
    ['other key', () => new CursorCodec('another-secret-of-enough-length').encode({ p: 2 })],
  ])('refuses a %s with a 400', (_label, mutate) => {
    const cursor = mutate(codec.encode({ p: 2, s: 20, c: 'books' }));
    expect(() => codec.decode(cursor)).toThrow(ShapingInputError);
  });
});
