import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type SseMessage, SseSource } from './sse.source';

/** A real SSE server on loopback: the first connection fails, the next two end after sending. */
describe('SseSource', () => {
  let server: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      const n = seen.length;
      if (n === 1) return res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (n === 2)
        res.end(
          'retry: 10\n\n: comment\nid: 7\nevent: order.status_changed\ndata: {"a":\ndata: 1}\n\n',
        );
      else res.end('id: 8\r\nevent: order.status_changed\r\ndata: {"a":2}\r\n\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/events`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reconnects after failures and ends, resuming with Last-Event-ID', async () => {
    const messages: SseMessage[] = [];
    const source = new SseSource({
      name: 'test',
      url,
      backoffMs: { min: 10, max: 50 },
      onMessage: (m) => messages.push(m),
    });
    source.start();
    const end = Date.now() + 10_000;
    while (messages.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await source.close();
    expect(messages).toEqual([
      { id: '7', event: 'order.status_changed', data: '{"a":\n1}' },
      { id: '8', event: 'order.status_changed', data: '{"a":2}' },
    ]);
    expect(seen[0]['last-event-id']).toBeUndefined();
    expect(seen[1]['last-event-id']).toBeUndefined();
    // After the stream that ended at id 7, the next connection resumes from it.
    expect(seen[2]['last-event-id']).toBe('7');
    expect(seen[2].accept).toBe('text/event-stream');
  });
});
