import { Writable } from 'node:stream';
import { RequestContextStore, createRequestContext } from '@app/core';
import { REDACTED, redactUrl } from './log.redaction';
import { createStructuredLogger } from './structured.logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('redactUrl', () => {
  it('leaves URLs without a query untouched (same string)', () => {
    const url = '/products/prd_0001';
    expect(redactUrl(url)).toBe(url);
  });

  it('redacts token-looking parameters by name and JWTs by value', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    expect(
      redactUrl(`/a?page=2&access_token=abc&api_key=k&code=xyz&next=${jwt}&sort=name&password=p`),
    ).toBe(
      `/a?page=2&access_token=${REDACTED}&api_key=${REDACTED}&code=${REDACTED}&next=${REDACTED}&sort=name&password=${REDACTED}`,
    );
    expect(redactUrl('/a?X-Amz-Signature=abc&flag')).toBe(`/a?X-Amz-Signature=${REDACTED}&flag`);
  });
});

describe('structured logger', () => {
  it('writes JSON lines with app, level label and secret headers redacted', () => {
    const out = capture();
    const logger = createStructuredLogger({
      app: 'web-bff',
      level: 'info',
      destination: out.stream,
    });
    logger.info(
      {
        headers: {
          authorization: 'Bearer secret-token',
          cookie: 'sid=secret-cookie',
          'x-api-key': 'secret-key',
          accept: 'application/json',
        },
        res: { headers: { 'set-cookie': 'sid=secret' } },
      },
      'hello',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', app: 'web-bff', msg: 'hello' });
    expect(line.headers).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      accept: 'application/json',
    });
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('adds the request id and trace id to lines logged while serving a request', () => {
    const out = capture();
    const logger = createStructuredLogger({
      app: 'web-bff',
      level: 'debug',
      destination: out.stream,
    });
    const ctx = createRequestContext({ 'x-request-id': 'req-1' }, 1000);
    RequestContextStore.run(ctx, () => logger.debug('inside'));
    logger.debug('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ requestId: 'req-1', traceId: ctx.traceId });
    expect(outside.requestId).toBeUndefined();
  });

  it('writes nothing at level silent', () => {
    const out = capture();
    const logger = createStructuredLogger({
      app: 'web-bff',
      level: 'silent',
      destination: out.stream,
    });
    logger.error('nope');
    expect(out.lines()).toEqual([]);
  });
});
