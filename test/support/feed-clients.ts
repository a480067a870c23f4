import { type IncomingMessage, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

/** Polls `check` every 20 ms until it returns a value other than undefined/false. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One SSE message as a client sees it. */
export interface SseFrame {
  id?: string;
  event: string;
  data: string;
  receivedAt: number;
}

/** A live SSE client of `GET /events` (node:http, a real streaming connection). */
export interface SseClient {
  readonly status: number;
  readonly frames: SseFrame[];
  readonly body: () => string;
  readonly ended: () => boolean;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } });
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      const frames: SseFrame[] = [];
      let raw = '';
      let buffer = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = { event: 'message', data: '', receivedAt: Date.now() };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const name = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (name === 'id') frame.id = value;
            else if (name === 'event') frame.event = value;
            else if (name === 'data') data.push(value);
          }
          frame.data = data.join('\n');
          if (data.length > 0 || frame.event !== 'message') frames.push(frame);
        }
      });
      const done = (): void => {
        ended = true;
      };
      res.once('end', done);
      res.once('close', done);
      res.once('error', done);
      resolve({
        status: res.statusCode ?? 0,
        frames,
        body: () => raw,
        ended: () => ended,
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}

/** A WebSocket client of the feed (ws), recording every message and how it closed. */
export interface WsClient {
  readonly socket: WebSocket;
  readonly messages: {
    type: string;
    event?: { id: string; topic: string; type: string; data: unknown };
    receivedAt: number;
  }[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

/** Opens a WebSocket; resolves once open, or rejects with the refused answer's status and body. */
export function openWs(
  url: string,
  headers: Record<string, string>,
  options: { maxPayload?: number } = {},
): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, ...options });
    const messages: WsClient['messages'] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.once('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    socket.on('message', (data) => {
      messages.push({
        ...(JSON.parse(data.toString()) as { type: string }),
        receivedAt: Date.now(),
      });
    });
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        reject(
          Object.assign(new Error(`refused: ${res.statusCode}`), { status: res.statusCode, body }),
        ),
      );
    });
    socket.once('error', (error) => reject(error));
  });
}

/** The status and JSON body of a refused WebSocket handshake. */
export async function refusedWs(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: { code?: string } }> {
  try {
    const client = await openWs(url, headers);
    client.socket.terminate();
    throw new Error('the handshake was accepted');
  } catch (error) {
    const { status, body } = error as { status?: number; body?: string };
    if (status === undefined) throw error;
    return { status, body: JSON.parse(body ?? '{}') as { code?: string } };
  }
}

/**
 * A WebSocket handshake by hand whose socket is then never read: a client that stopped reading
 * (the kernel buffers fill, then the server's own buffer grows).
 */
export function openStalledWs(url: string, headers: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, 'http'), {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.once('upgrade', (_res, socket: Socket) => {
      socket.pause();
      resolve(socket);
    });
    req.once('response', (res) => reject(new Error(`not upgraded: ${res.statusCode}`)));
    req.once('error', reject);
    req.end();
  });
}
