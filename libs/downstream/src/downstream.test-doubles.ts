// Test doubles shared by the specs of this lib and of the libs that wrap its pipeline (resilience):
// reached through `@app/downstream/testing` (testing.ts), never through index.ts.
import type { DownstreamServiceConfig } from '@app/config';
import type { DownstreamCall, DownstreamTransport, RawResponse } from './downstream.types';

export const testService: DownstreamServiceConfig = {
  name: 'catalog',
  urls: ['http://catalog'],
  timeoutMs: 2000,
  transport: 'undici',
  connections: 1,
};

/** A fresh GET of `/products/1` on {@link testService}, as the client would build it. */
export const callFor = (): DownstreamCall => ({
  service: testService,
  method: 'GET',
  path: '/products/1',
  headers: {},
  body: undefined,
  signal: new AbortController().signal,
  callerSignal: undefined,
});

/** A JSON answer `{}` with this status and headers. */
export const respond = (status = 200, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers,
  body: Buffer.from('{}'),
});

/** One scripted answer: a status, a whole response, an error to throw, or a function of the call. */
export type FakeAnswer =
  number | RawResponse | Error | ((call: DownstreamCall) => RawResponse | Promise<RawResponse>);

/**
 * A transport answering from a script, one answer per call and the last one repeated (200 when
 * none is given). `calls` keeps what was sent, headers copied as they were at that moment.
 */
export function fakeTransport(...answers: FakeAnswer[]): {
  transport: DownstreamTransport;
  calls: DownstreamCall[];
} {
  const calls: DownstreamCall[] = [];
  const transport: DownstreamTransport = {
    kind: 'fake',
    send: async (call) => {
      const answer =
        answers.length === 0 ? 200 : answers[Math.min(calls.length, answers.length - 1)];
      calls.push({ ...call, headers: { ...call.headers } });
      if (answer instanceof Error) throw answer;
      if (typeof answer === 'function') return answer(call);
      return typeof answer === 'number' ? respond(answer) : answer;
    },
    close: async () => undefined,
  };
  return { transport, calls };
}
