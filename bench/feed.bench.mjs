// Live admin feed: RSS of one admin-bff holding N idle WebSocket connections, and the latency from
// publish to receipt of one event fanned out to M subscribers (p50/p99).
// Runs on the built output: `npm run build && npm run bench:feed` (FEED_CONNECTIONS, default 10000;
// FEED_SUBSCRIBERS, default 1000; FEED_EVENTS, default 30). REDIS_URL (default
// redis://127.0.0.1:6379) carries the fan-out; keys use a unique prefix and are deleted at the end.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');
const { Redis } = require('ioredis');

const MAIN = new URL('../dist/apps/admin-bff/apps/admin-bff/src/main.js', import.meta.url).pathname;
if (!existsSync(MAIN)) {
  console.error('dist/apps/admin-bff not built: run "npm run build" first');
  process.exit(1);
}
const CONNECTIONS = Number(process.env.FEED_CONNECTIONS ?? 10_000);
const SUBSCRIBERS = Number(process.env.FEED_SUBSCRIBERS ?? 1_000);
const EVENTS = Number(process.env.FEED_EVENTS ?? 30);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(24).toString('hex');
const PREFIX = `bench:${randomBytes(4).toString('hex')}:events:`;

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const head = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64({
  iss: 'bff-internal',
  sub: 'bench',
  aud: 'admin-bff',
  roles: ['admin'],
  scope: 'orders:read ops:read',
  iat: now,
  exp: now + 3600,
})}`;
const token = `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

const port = await freePort();
const child = spawn(process.execPath, [MAIN], {
  env: {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    LOG_REQUESTS: 'false',
    ADMIN_BFF_PORT: String(port),
    BFF_HOST: '127.0.0.1',
    REDIS_URL,
    EVENTS_KEY_PREFIX: PREFIX,
    RATE_LIMIT_KEY_PREFIX: `${PREFIX}rl:`,
    CACHE_REDIS: 'false',
    AUTH_API_KEYS_STORE: 'file',
    AUTH_REVOCATION_STORE: 'memory',
    RATE_LIMIT_ENABLED: 'false',
    BFF_MAX_CONNECTIONS_PER_IP: '0',
    EVENTS_MAX_CONNECTIONS_PER_PRINCIPAL: String(CONNECTIONS * 2),
    EVENTS_ORDERS_STREAM: 'false',
    EVENTS_REAUTH_MS: '3600000',
    AUTH_INTERNAL_HS256_SECRET: SECRET,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('listening on')) resolve();
  });
  child.once('exit', (code) => reject(new Error(`admin-bff exited ${code}:\n${out}`)));
});
child.stdout.resume();
const url = `ws://127.0.0.1:${port}/events/ws?topics=orders`;
const open = (onMessage) =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    if (onMessage !== undefined) socket.on('message', onMessage);
  });

const redis = new Redis(REDIS_URL);
try {
  await new Promise((r) => setTimeout(r, 1_000));
  const rssIdle = rssMb(child.pid);
  // Idle connections, 100 handshakes at a time.
  const sockets = [];
  const connectStart = performance.now();
  while (sockets.length < CONNECTIONS) {
    const batch = Math.min(100, CONNECTIONS - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, () => open()))));
  }
  const connectMs = performance.now() - connectStart;
  await new Promise((r) => setTimeout(r, 2_000));
  const rssConnected = rssMb(child.pid);
  console.log(
    `idle connections: ${CONNECTIONS} opened in ${(connectMs / 1000).toFixed(1)} s; admin-bff RSS ` +
      `${rssIdle.toFixed(0)} MB before, ${rssConnected.toFixed(0)} MB with them ` +
      `(${(((rssConnected - rssIdle) * 1024) / CONNECTIONS).toFixed(1)} KB per connection)`,
  );
  for (const socket of sockets) socket.terminate();
  await new Promise((r) => setTimeout(r, 1_000));

  // Fan-out: one event, published on the stream as any instance would, to M subscribers.
  const latencies = [];
  let received = 0;
  const subscribers = [];
  const onMessage = (data) => {
    const message = JSON.parse(data.toString());
    if (message.type !== 'event') return;
    latencies.push(performance.now() - message.event.data.sentAt);
    received++;
  };
  while (subscribers.length < SUBSCRIBERS) {
    const batch = Math.min(100, SUBSCRIBERS - subscribers.length);
    subscribers.push(...(await Promise.all(Array.from({ length: batch }, () => open(onMessage)))));
  }
  await new Promise((r) => setTimeout(r, 1_000));
  for (let i = 0; i < EVENTS; i++) {
    const before = received;
    const body = JSON.stringify({
      topic: 'orders',
      type: 'bench',
      at: new Date().toISOString(),
      source: 'bench',
      data: { sentAt: performance.now(), i },
    });
    await redis.xadd(`${PREFIX}stream`, '*', 'e', body);
    const deadline = Date.now() + 10_000;
    while (received < before + SUBSCRIBERS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `fan-out: ${EVENTS} events × ${SUBSCRIBERS} subscribers, ${latencies.length} received; ` +
      `publish to receipt p50 ${percentile(latencies, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`,
  );
  for (const socket of subscribers) socket.terminate();
} finally {
  child.kill('SIGTERM');
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
