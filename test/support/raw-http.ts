import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends a request line exactly as given (fetch and undici normalise `..`, `%2e` and absolute
 * targets, so escape attempts must be written to the socket by hand).
 */
export function rawRequest(
  baseUrl: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const headers = {
    host: `${hostname}:${port}`,
    connection: 'close',
    ...options.headers,
  };
  const head =
    `${options.method ?? 'GET'} ${target} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head, 'latin1');
      if (options.body !== undefined) socket.write(options.body);
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.setTimeout(10_000, () => socket.destroy(new Error(`timeout on ${target}`)));
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const split = data.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0),
        head: split === -1 ? data : data.slice(0, split),
        body: split === -1 ? '' : data.slice(split + 4),
      });
    });
  });
}
