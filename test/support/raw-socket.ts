import { type Socket, connect } from 'node:net';

export interface SocketOutcome {
  /** Status of the first response, 0 when the connection closed without one. */
  status: number;
  /** Everything received (latin1). */
  data: string;
  /** Body of the first response when it is JSON, else undefined. */
  json: Record<string, unknown> | undefined;
  /** `performance.now()` when the first byte arrived (undefined without any). */
  firstByteAt: number | undefined;
  /** `performance.now()` when the connection closed. */
  closedAt: number;
}

/**
 * A raw client socket for tests that must control timing byte by byte (slow heads, slow or
 * chunked bodies, idle keep-alive): write pieces whenever, then await `outcome`, which settles
 * when the server closes the connection (or after `timeoutMs`, with what came so far).
 */
export interface RawSocket {
  socket: Socket;
  openedAt: number;
  write(data: string | Buffer): void;
  /** Writes `data` one piece at a time, `everyMs` apart, until done or the socket closes. */
  trickle(pieces: readonly (string | Buffer)[], everyMs: number): Promise<void>;
  outcome: Promise<SocketOutcome>;
  /** Resolves once `data` holds at least one complete response head. */
  firstResponse(): Promise<SocketOutcome>;
  close(): void;
}

function parse(data: string): Pick<SocketOutcome, 'status' | 'json'> {
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0);
  const split = data.indexOf('\r\n\r\n');
  let json: Record<string, unknown> | undefined;
  if (split !== -1) {
    const body = data.slice(split + 4);
    const start = body.indexOf('{');
    const end = body.lastIndexOf('}');
    if (start !== -1 && end > start) {
      try {
        json = JSON.parse(body.slice(start, end + 1)) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
    }
  }
  return { status, json };
}

export function openRawSocket(baseUrl: string, timeoutMs = 15_000): Promise<RawSocket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    let firstByteAt: number | undefined;
    let closed = false;
    const waiters: (() => void)[] = [];
    const snapshot = (closedAt: number): SocketOutcome => ({
      ...parse(data),
      data,
      firstByteAt,
      closedAt,
    });
    const outcome = new Promise<SocketOutcome>((settle) => {
      const timer = setTimeout(() => {
        socket.destroy();
      }, timeoutMs);
      socket.on('close', () => {
        closed = true;
        clearTimeout(timer);
        for (const w of waiters.splice(0)) w();
        settle(snapshot(performance.now()));
      });
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      firstByteAt ??= performance.now();
      data += chunk;
      for (const w of waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      const openedAt = performance.now();
      resolve({
        socket,
        openedAt,
        write: (piece) => {
          if (!socket.destroyed) socket.write(piece);
        },
        trickle: async (pieces, everyMs) => {
          for (const piece of pieces) {
            if (closed || socket.destroyed) return;
            socket.write(piece);
            await new Promise((r) => setTimeout(r, everyMs));
          }
        },
        outcome,
        firstResponse: () =>
          new Promise((done) => {
            const check = (): void => {
              if (closed || /\r\n\r\n/.test(data)) done(snapshot(performance.now()));
              else waiters.push(check);
            };
            check();
          }),
        close: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

/** A request head (HTTP/1.1, keep-alive unless given) for {@link openRawSocket}. */
export function requestHead(
  baseUrl: string,
  method: string,
  target: string,
  headers: Record<string, string> | [string, string][] = {},
): string {
  const { host } = new URL(baseUrl);
  const list = Array.isArray(headers) ? headers : Object.entries(headers);
  return (
    `${method} ${target} HTTP/1.1\r\nhost: ${host}\r\n` +
    list.map(([k, v]) => `${k}: ${v}\r\n`).join('') +
    '\r\n'
  );
}
