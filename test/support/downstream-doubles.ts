/**
 * # Downstream doubles (after lura's test proxies)
 *
 * Small HTTP servers standing in for a downstream in e2e tests, each on a loopback port:
 *
 * - **fixed**: answers every request the same (`startFixedDownstream`, or `fixed(...)` for one
 *   path of a composed double);
 * - **explosive**: must never be called; a call answers 500 and makes `close()` reject, so the
 *   test's `afterAll` fails instead of the call going unnoticed (`startExplosiveDownstream`);
 * - **slow**: answers after a delay, and/or trickles its body piece by piece
 *   (`startSlowDownstream`, or `slow(...)`).
 *
 * `startDownstream` composes them by path prefix (first match in insertion order wins), with any
 * hand-written handler for answers a test needs that none of them gives.
 *
 * ```ts
 * const origin = await startDownstream({
 *   '/fail': fixed({ status: 500, body: 'origin says no' }),
 *   '/slow': slow({ body: 'x'.repeat(20), pieceEveryMs: 100 }),
 * });
 * ```
 *
 * For doubles that record what they received or reflect it, see recording-downstream.ts and
 * reflecting-origin.ts.
 */
import {
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request. */
export type DownstreamHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface DownstreamDouble {
  /** Base URL, e.g. `http://127.0.0.1:41234` (for `DOWNSTREAM_<NAME>_URL`). */
  readonly url: string;
  /** Requests received so far. */
  hits(): number;
  /** Drops keep-alive connections and stops the server. */
  close(): Promise<void>;
}

/** A fixed answer. */
export interface FixedAnswer {
  /** Default 200. */
  status?: number;
  /** Default `content-type: application/json` when there is no `body` either. */
  headers?: OutgoingHttpHeaders;
  /** Default `{"ok":true}`. */
  body?: string | Buffer;
}

export interface SlowAnswer extends FixedAnswer {
  /** Time before the head is sent. */
  delayMs?: number;
  /** Sends the body one `pieceBytes` piece at this interval (the head at once), then ends. */
  pieceEveryMs?: number;
  /** Default 1. */
  pieceBytes?: number;
}

const DEFAULT_ANSWER: Required<FixedAnswer> = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: true }),
};

const withDefaults = (answer: FixedAnswer): Required<FixedAnswer> =>
  answer.body === undefined && answer.headers === undefined
    ? { ...DEFAULT_ANSWER, status: answer.status ?? DEFAULT_ANSWER.status }
    : { status: answer.status ?? 200, headers: answer.headers ?? {}, body: answer.body ?? '' };

/** Answers every request with `answer`. */
export function fixed(answer: FixedAnswer = {}): DownstreamHandler {
  const { status, headers, body } = withDefaults(answer);
  return (req, res) => {
    req.resume();
    res.writeHead(status, headers).end(body);
  };
}

/** Answers `answer` after `delayMs`, its body trickled when `pieceEveryMs` is set. */
export function slow(answer: SlowAnswer): DownstreamHandler {
  const { status, headers, body } = withDefaults(answer);
  const bytes = Buffer.from(body);
  const size = answer.pieceBytes ?? 1;
  return (req, res) => {
    req.resume();
    const timers = new Set<NodeJS.Timeout>();
    // A client that gives up (a cut-off proxy) must not leave timers behind.
    res.on('close', () => timers.forEach((t) => clearTimeout(t)));
    const answerNow = (): void => {
      if (answer.pieceEveryMs === undefined) {
        res.writeHead(status, headers).end(bytes);
        return;
      }
      res.writeHead(status, headers);
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= bytes.length || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(bytes.subarray(sent, sent + size));
        sent += size;
      }, answer.pieceEveryMs);
      timers.add(timer);
    };
    if (answer.delayMs === undefined) answerNow();
    else timers.add(setTimeout(answerNow, answer.delayMs));
  };
}

/** A listening double: its base URL and how to stop it. */
export interface ServedDouble {
  readonly url: string;
  /** Drops keep-alive connections (a double must not hold a test open) and stops the server. */
  close(): Promise<void>;
}

/** Serves `handler` on `port` of 127.0.0.1 (default: an ephemeral one); every double starts here. */
export function serveDouble(
  handler: DownstreamHandler,
  options: { port?: number } = {},
): Promise<ServedDouble> {
  const server: Server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

/** Starts a double with one handler, or one per path prefix. */
export async function startDownstream(
  handler: DownstreamHandler | Record<string, DownstreamHandler>,
  options: { port?: number } = {},
): Promise<DownstreamDouble> {
  let hits = 0;
  const byPrefix = typeof handler === 'function' ? [] : Object.entries(handler);
  const served = await serveDouble((req, res) => {
    hits++;
    if (typeof handler === 'function') return handler(req, res);
    const match = byPrefix.find(([prefix]) => (req.url ?? '/').startsWith(prefix));
    if (match === undefined) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    match[1](req, res);
  }, options);
  return { url: served.url, hits: () => hits, close: served.close };
}

/** A double answering every request with `answer`. */
export const startFixedDownstream = (
  answer: FixedAnswer = {},
  options: { port?: number } = {},
): Promise<DownstreamDouble> => startDownstream(fixed(answer), options);

/** A double answering every request slowly (see {@link slow}). */
export const startSlowDownstream = (
  answer: SlowAnswer,
  options: { port?: number } = {},
): Promise<DownstreamDouble> => startDownstream(slow(answer), options);

/**
 * A downstream the test must never reach. A call is answered 500 and remembered: `close()`
 * rejects naming it, which fails the test's `afterAll` (a throw in the server would not).
 */
export async function startExplosiveDownstream(): Promise<DownstreamDouble> {
  const calls: string[] = [];
  const double = await startDownstream((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' }).end('explosive downstream called');
  });
  return {
    url: double.url,
    hits: double.hits,
    close: async () => {
      await double.close();
      if (calls.length > 0) {
        throw new Error(`explosive downstream was called: ${calls.join(', ')}`);
      }
    },
  };
}
