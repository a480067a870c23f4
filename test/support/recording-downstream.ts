import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { serveDouble } from './downstream-doubles';

/** One request as the downstream received it. */
export interface RecordedCall {
  method: string;
  url: string;
  /** Header names exactly as sent on the wire (case and `_` kept), in order. */
  rawNames: string[];
  /** Values by lower-cased name (as sent, `_` kept); repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Body bytes received so far. */
  bytes: number;
  /** The whole request (body included) arrived. */
  complete: boolean;
  /** The body as text, once complete. */
  body: string;
}

export interface RecordingDownstream {
  url: string;
  /** Requests started (counted as soon as the head arrives). */
  hits(): number;
  /** Requests that arrived whole. */
  completed(): number;
  calls: RecordedCall[];
  reset(): void;
  close(): Promise<void>;
}

/** Hop-by-hop headers a relay must not copy (the relay is a client of its own). */
const RELAY_DROPPED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding']);

/**
 * A downstream double that records every request with its raw header names (so `X_User_Id` is
 * seen as sent), counts hits and complete requests, and answers `200 {"ok":true}`, or relays the
 * request to `relayTo` (e.g. a sandbox service) and returns that answer, so it can stand in for a
 * real service of an aggregating endpoint.
 */
export function startRecordingDownstream(
  options: { relayTo?: string } = {},
): Promise<RecordingDownstream> {
  const calls: RecordedCall[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const headers: Record<string, string> = {};
    const rawNames: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      rawNames.push(name);
      const lower = name.toLowerCase();
      headers[lower] =
        headers[lower] === undefined
          ? req.rawHeaders[i + 1]
          : `${headers[lower]}, ${req.rawHeaders[i + 1]}`;
    }
    const call: RecordedCall = {
      method: req.method ?? '',
      url: req.url ?? '',
      rawNames,
      headers,
      bytes: 0,
      complete: false,
      body: '',
    };
    calls.push(call);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      call.bytes += chunk.length;
      chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      call.complete = true;
      call.body = Buffer.concat(chunks).toString('utf8');
      if (options.relayTo === undefined) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, method: call.method, url: call.url }));
        return;
      }
      const forward: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (!RELAY_DROPPED.has(name)) forward[name] = value;
      }
      request(`${options.relayTo}${call.url}`, {
        method: call.method as 'GET',
        headers: forward,
        body: chunks.length === 0 ? undefined : Buffer.concat(chunks),
      }).then(
        async (upstream) => {
          const body = Buffer.from(await upstream.body.arrayBuffer());
          const type = upstream.headers['content-type'];
          if (typeof type === 'string') res.setHeader('content-type', type);
          const retryAfter = upstream.headers['retry-after'];
          if (typeof retryAfter === 'string') res.setHeader('retry-after', retryAfter);
          res.statusCode = upstream.statusCode;
          res.end(body);
        },
        () => {
          res.statusCode = 502;
          res.end();
        },
      );
    });
  };
  return serveDouble(handle).then(({ url, close }) => ({
    url,
    calls,
    hits: () => calls.length,
    completed: () => calls.filter((c) => c.complete).length,
    reset: () => {
      calls.length = 0;
    },
    close,
  }));
}

/** Header names of a recorded call, lower-cased with `_` folded to `-` (how Rails/Django/PHP read them). */
export const foldedNames = (call: RecordedCall): string[] =>
  call.rawNames.map((n) => n.toLowerCase().replaceAll('_', '-'));
