import Redis from 'ioredis';
import { BffLifecycle } from '@app/core';
import { FeedHub } from '@app/events';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { OrdersFeedSource } from '../apps/admin-bff/src/feed/orders-feed.source';
import { ADMIN_SCOPES, type TestIssuer, startTestIssuer } from './support/auth';
import {
  type SseClient,
  type WsClient,
  openSse,
  openStalledWs,
  openWs,
  refusedWs,
  waitFor,
} from './support/feed-clients';
import { RedisProcess } from './support/redis-server';
import { spawnAdminBff } from './support/admin-bff-process';
import { listeningUrl } from './support/bff-process';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

/**
 * The live admin feed across two admin-bff instances sharing a Redis (a private redis-server),
 * against the sandbox's orders event stream: WebSocket and SSE, fan-out, resume, refusals,
 * backpressure and the drain.
 */
describe('admin live feed (two instances, Redis, sandbox)', () => {
  let redis: RedisProcess;
  let sandbox: Sandbox;
  let issuer: TestIssuer;
  let a: RunningApp;
  let b: RunningApp;
  let pending: string[];
  let env: Record<string, string>;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    redis = await RedisProcess.start();
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    env = {
      ...issuer.env,
      REDIS_URL: redis.url,
      RATE_LIMIT_ENABLED: 'false',
      EVENTS_ORDERS_STREAM: 'true',
      // Credentials are checked again this often (revocations are seen within it).
      EVENTS_REAUTH_MS: '500',
      EVENTS_MAX_BUFFER_BYTES: '65536',
      EVENTS_MAX_CONNECTIONS_PER_PRINCIPAL: '4',
      EVENTS_ALLOWED_ORIGINS: 'https://admin.example.com',
      // Expiry is exact here, so the close on expiry is quick to see.
      AUTH_CLOCK_LEEWAY_SECONDS: '0',
    };
    a = await startApp(createAdminBff, sandbox, env);
    b = await startApp(createAdminBff, sandbox, env);
    const list = await json(
      await fetch(`${a.url}/orders?status=pending&pageSize=20`, { headers: admin() }),
    );
    pending = list.items.map((o: { id: string }) => o.id);
    // Both instances follow the orders service's stream before a change is made.
    await waitFor(
      () => a.app.get(OrdersFeedSource).connected && b.app.get(OrdersFeedSource).connected,
      10_000,
      'both instances connected to the orders stream',
    );
  }, 60_000);

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await sandbox?.close();
    await issuer?.close();
    await redis?.kill();
  });

  const admin = (claims: Record<string, unknown> = {}) =>
    issuer.headers({
      sub: 'staff_admin',
      roles: ['admin'],
      aud: 'admin-bff',
      scope: ADMIN_SCOPES,
      ...claims,
    });
  const support = () =>
    issuer.headers({
      sub: 'staff_support',
      roles: ['support'],
      aud: 'admin-bff',
      scope: 'orders:read',
    });
  const ws = (app: RunningApp, query = 'topics=orders') =>
    `${app.url.replace('http', 'ws')}/events/ws?${query}`;
  const track = <T extends SseClient | WsClient>(client: T): T => {
    open.push('socket' in client ? { close: () => client.socket.terminate() } : client);
    return client;
  };
  const change = async (app: RunningApp, id: string, status: string) => {
    const res = await fetch(`${app.url}/orders/${id}/status`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...admin() },
      body: JSON.stringify({ status }),
    });
    expect(res.status).toBe(200);
  };
  const wsEventsOf = (client: WsClient, orderId: string) =>
    client.messages.filter(
      (m) =>
        m.type === 'event' && (m.event?.data as { order: { id: string } }).order.id === orderId,
    );
  const sseEventsOf = (client: SseClient, orderId: string) =>
    client.frames.filter(
      (f) =>
        f.event === 'orders' &&
        (JSON.parse(f.data) as { data: { order: { id: string } } }).data.order.id === orderId,
    );

  it('a status change made through A reaches a WebSocket client on B and an SSE client on A within 1 s, once each', async () => {
    const wsB = track(await openWs(ws(b), admin()));
    const sseA = track(await openSse(`${a.url}/events?topics=orders`, admin()));
    expect(sseA.status).toBe(200);
    await waitFor(() => wsB.messages.some((m) => m.type === 'ready'), 5_000, 'ready message');

    const [first, second] = pending;
    const sent = Date.now();
    await change(a, first, 'paid');
    const wsEvent = await waitFor(() => wsEventsOf(wsB, first)[0], 5_000, 'event on B (ws)');
    const sseEvent = await waitFor(() => sseEventsOf(sseA, first)[0], 5_000, 'event on A (sse)');
    expect(wsEvent.receivedAt - sent).toBeLessThan(1_000);
    expect(sseEvent.receivedAt - sent).toBeLessThan(1_000);
    // Same payload on both transports: the event object, with its stream id.
    const fromSse = JSON.parse(sseEvent.data) as { id: string };
    expect(fromSse).toEqual(wsEvent.event);
    expect(sseEvent.id).toBe(fromSse.id);
    expect(wsEvent.event).toMatchObject({
      topic: 'orders',
      type: 'order.status_changed',
      data: { order: { id: first, status: 'paid' } },
    });

    // Both instances consume the orders stream; each upstream event is published once. A later
    // event arriving proves any duplicate of the first would have arrived before it.
    await change(b, second, 'paid');
    await waitFor(() => wsEventsOf(wsB, second)[0], 5_000, 'second event (ws)');
    await waitFor(() => sseEventsOf(sseA, second)[0], 5_000, 'second event (sse)');
    expect(wsEventsOf(wsB, first)).toHaveLength(1);
    expect(sseEventsOf(sseA, first)).toHaveLength(1);
  });

  it('a client that reconnects with its last id gets exactly the events it missed', async () => {
    const [, , c, d, e] = pending;
    const sse = track(await openSse(`${a.url}/events?topics=orders`, admin()));
    await change(a, c, 'paid');
    const seen = await waitFor(() => sseEventsOf(sse, c)[0], 5_000, 'first event');
    sse.close();
    await change(b, d, 'paid');
    await change(a, e, 'paid');

    // SSE on the other instance, with Last-Event-ID.
    const again = track(
      await openSse(`${b.url}/events?topics=orders`, { ...admin(), 'last-event-id': seen.id! }),
    );
    await waitFor(() => sseEventsOf(again, e)[0], 5_000, 'replayed events (sse)');
    const replayed = again.frames.filter((f) => f.event === 'orders');
    expect(
      replayed.map(
        (f) => (JSON.parse(f.data) as { data: { order: { id: string } } }).data.order.id,
      ),
    ).toEqual([d, e]);

    // WebSocket with the same id as its offset: the same two events.
    const wsAgain = track(await openWs(ws(a, `topics=orders&lastEventId=${seen.id!}`), admin()));
    await waitFor(() => wsEventsOf(wsAgain, e)[0], 5_000, 'replayed events (ws)');
    const wsReplayed = wsAgain.messages.filter((m) => m.type === 'event');
    expect(wsReplayed.map((m) => m.event?.id)).toEqual(replayed.map((f) => f.id));

    // An id the history cannot serve: a clear reset, then live events.
    const tooOld = track(
      await openWs(ws(b, 'topics=orders&lastEventId=99999999999999-0'), admin()),
    );
    await waitFor(() => tooOld.messages.some((m) => m.type === 'reset'), 5_000, 'reset');
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/bff_events_resumes_total\{result="hit"\} [1-9]/);
    expect(metrics).toMatch(/bff_events_resumes_total\{result="miss"\} [1-9]/);
    expect(metrics).toMatch(/bff_events_connections\{transport="ws"\} [1-9]/);
  });

  it('refuses expired tokens, wrong roles, foreign origins, unknown topics, plain GETs and oversized frames', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = admin({ iat: now - 600, exp: now - 300 });
    expect((await refusedWs(ws(b), expired)).status).toBe(401);
    expect((await openSse(`${a.url}/events`, expired)).status).toBe(401);

    // Support staff may read orders, not operations.
    expect(await refusedWs(ws(b, 'topics=ops'), support())).toMatchObject({
      status: 403,
      body: { code: 'INSUFFICIENT_SCOPE' },
    });
    const sseOps = await openSse(`${a.url}/events?topics=ops`, support());
    expect(sseOps.status).toBe(403);
    track(await openWs(ws(b, 'topics=orders'), support())).socket.terminate();
    const customer = issuer.headers({ sub: 'usr_0035', aud: 'admin-bff', scope: 'orders:read' });
    expect((await refusedWs(ws(b), customer)).status).toBe(403);

    // A cross-site page: its origin is not allowed, with a token or with a cookie alone.
    expect(await refusedWs(ws(b), { ...admin(), origin: 'https://evil.example' })).toMatchObject({
      status: 403,
      body: { code: 'ORIGIN_NOT_ALLOWED' },
    });
    expect((await refusedWs(ws(b), { cookie: 'bff_session=abc' })).status).toBe(403);
    track(
      await openWs(ws(b), { ...admin(), origin: 'https://admin.example.com' }),
    ).socket.terminate();

    expect(await refusedWs(ws(a, 'topics=orders,nope'), admin())).toMatchObject({
      status: 400,
      body: { code: 'UNKNOWN_TOPIC' },
    });
    const plain = await fetch(`${a.url}/events/ws`, { headers: admin() });
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ code: 'UPGRADE_REQUIRED' });

    // Inbound frames are bounded (EVENTS_WS_MAX_MESSAGE_BYTES, default 4096): close 1009.
    const client = track(await openWs(ws(a), admin()));
    client.socket.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(10_000) }));
    expect((await client.closed).code).toBe(1009);
    // And rate-limited: a burst past twice the per-second rate closes with 1008.
    const chatty = track(await openWs(ws(a), admin()));
    for (let i = 0; i < 50; i++) chatty.socket.send('{"type":"ping"}');
    expect((await chatty.closed).code).toBe(1008);
  });

  it('limits connections per caller', async () => {
    const who = () => admin({ sub: 'staff_many' });
    for (let i = 0; i < 4; i++) track(await openWs(ws(a), who()));
    expect(await refusedWs(ws(a), who())).toMatchObject({
      status: 429,
      body: { code: 'TOO_MANY_FEED_CONNECTIONS' },
    });
    // Another instance counts its own.
    track(await openWs(ws(b), who())).socket.terminate();
  });

  it('closes a connection with 4401 when its token expires (SSE: the stream ends)', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const short = () => admin({ sub: 'staff_short', exp });
    const client = track(await openWs(ws(b), short()));
    const sse = track(await openSse(`${a.url}/events?topics=orders`, short()));
    expect(sse.status).toBe(200);
    expect((await client.closed).code).toBe(4401);
    await waitFor(() => sse.ended(), 10_000, 'SSE stream ended at expiry');
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it('closes the connections of a revoked subject with 4401, on every instance', async () => {
    const who = () => admin({ sub: 'staff_revoked' });
    const onB = track(await openWs(ws(b), who()));
    const sse = track(await openSse(`${b.url}/events?topics=orders`, who()));
    expect(sse.status).toBe(200);
    const res = await fetch(`${a.url}/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin({ scope: 'tokens:revoke' }) },
      body: JSON.stringify({ subject: 'staff_revoked', reason: 'feed test' }),
    });
    expect(res.status).toBeLessThan(300);
    expect((await onB.closed).code).toBe(4401);
    await waitFor(() => sse.ended(), 10_000, 'SSE stream ended after revocation');
  });

  it('the orders stream consumer reconnects after the service was down', async () => {
    const client = track(await openWs(ws(b), admin()));
    sandbox.faults.set('orders', { outage: true });
    await sandbox.settle();
    await waitFor(
      () => !a.app.get(OrdersFeedSource).connected && !b.app.get(OrdersFeedSource).connected,
      10_000,
      'both consumers saw the stream end',
    );
    sandbox.faults.reset('orders');
    await sandbox.settle();
    await waitFor(
      () => a.app.get(OrdersFeedSource).connected && b.app.get(OrdersFeedSource).connected,
      15_000,
      'both consumers connected again',
    );
    await change(a, pending[6], 'paid');
    await waitFor(() => wsEventsOf(client, pending[6])[0], 5_000, 'event after the outage');
  });

  it('drops a client that stops reading once its buffer passes the bound', async () => {
    const hub = a.app.get(FeedHub);
    const key = 'user:staff_stalled';
    const stalled = await openStalledWs(ws(a), admin({ sub: 'staff_stalled' }));
    open.push({ close: () => stalled.destroy() });
    await waitFor(() => hub.countFor(key) === 1, 5_000, 'stalled client connected');
    // Another instance publishing large events: straight onto the shared stream.
    const publisher = new Redis(redis.url);
    try {
      const body = JSON.stringify({
        topic: 'orders',
        type: 'test.large',
        at: new Date().toISOString(),
        source: 'test',
        data: { pad: 'x'.repeat(256 * 1024) },
      });
      for (let i = 0; i < 200 && hub.countFor(key) > 0; i++) {
        await publisher.xadd('bff:events:stream', '*', 'e', body);
        if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
      await waitFor(() => hub.countFor(key) === 0, 10_000, 'stalled client dropped');
    } finally {
      publisher.disconnect();
    }
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(
      /bff_events_dropped_connections_total\{transport="ws",reason="slow_consumer"\} [1-9]/,
    );
  });

  it('SIGTERM closes the sockets of a separate process with 1001 and it exits 0; the client reconnects to B', async () => {
    const proc = spawnAdminBff(sandbox, env);
    try {
      const url = await listeningUrl(proc, 60_000);
      const client = await openWs(`${url.replace('http', 'ws')}/events/ws?topics=orders`, admin());
      await waitFor(() => client.messages.some((m) => m.type === 'ready'), 5_000, 'ready');
      proc.child.kill('SIGTERM');
      expect((await client.closed).code).toBe(1001);
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      const moved = track(await openWs(ws(b), admin()));
      await change(b, pending[7], 'paid');
      await waitFor(() => wsEventsOf(moved, pending[7])[0], 5_000, 'event after reconnecting');
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 90_000);

  it('closes sockets with 1001 when draining; the client reconnects to the other instance', async () => {
    const client = track(await openWs(ws(a), admin()));
    const sse = track(await openSse(`${a.url}/events?topics=orders`, admin()));
    a.app.get(BffLifecycle).startDraining();
    expect((await client.closed).code).toBe(1001);
    await waitFor(() => sse.ended(), 5_000, 'SSE stream ended');
    expect(await refusedWs(ws(a), admin())).toMatchObject({ status: 503 });
    const moved = track(await openWs(ws(b), admin()));
    await change(a, pending[5], 'paid');
    await waitFor(() => wsEventsOf(moved, pending[5])[0], 5_000, 'event after reconnecting to B');
  });
});
