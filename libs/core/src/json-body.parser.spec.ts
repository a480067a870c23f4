import { BodyTooDeepError } from './edge.errors';
import { jsonBodyParser, jsonDepthExceeds } from './json-body.parser';

const nested = (levels: number, open = '[', close = ']'): Buffer =>
  Buffer.from(open.repeat(levels) + close.repeat(levels));

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays together, up to the limit included', () => {
    expect(jsonDepthExceeds(nested(32), 32)).toBe(false);
    expect(jsonDepthExceeds(nested(33), 32)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('{"a":[{"b":[1]}]}'), 4)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('{"a":[{"b":[1]}]}'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[[[[[[[{{{{{{', b: 'x\\"[[[[[[[[', c: '"{{{{{' });
    expect(jsonDepthExceeds(Buffer.from(text), 1)).toBe(false);
  });

  it('stops at the first level too deep of a 10,000-level body', () => {
    expect(jsonDepthExceeds(nested(10_000, '{"a":', '}'), 32)).toBe(true);
  });
});

describe('jsonBodyParser', () => {
  const parse = jest.fn(
    (_req: unknown, body: string, done: (e: Error | null, v?: unknown) => void) =>
      done(null, JSON.parse(body)),
  );
  const request = { server: {} } as never;

  it('refuses a deep body with BODY_TOO_DEEP without parsing it', () => {
    const done = jest.fn();
    jsonBodyParser(8, parse)(request, nested(9), done);
    expect(done.mock.calls[0][0]).toBeInstanceOf(BodyTooDeepError);
    expect(done.mock.calls[0][0]).toMatchObject({ status: 400, code: 'BODY_TOO_DEEP' });
    expect(parse).not.toHaveBeenCalled();
  });

  it('hands other bodies to the parser', () => {
    const done = jest.fn();
    jsonBodyParser(8, parse)(request, Buffer.from('{"a":[1]}'), done);
    expect(done).toHaveBeenCalledWith(null, { a: [1] });
  });
});
