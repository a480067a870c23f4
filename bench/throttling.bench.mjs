// Per-request cost of a rate-limit check: memory store vs Redis store (one Lua round trip).
// Runs on the built output: `npm run build && npm run bench:throttling`.
// REDIS_URL (default redis://127.0.0.1:6379) selects the Redis; keys use a unique prefix and are
// deleted at the end. BENCH_ITERATIONS scales the memory run (Redis runs use a tenth of it).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
// Every BFF build contains the lib; take the first one present.
const LIB = ['web-bff', 'mobile-bff', 'admin-bff']
  .map(
    (app) => new URL(`../dist/apps/${app}/libs/throttling/src/index.js`, import.meta.url).pathname,
  )
  .find((path) => existsSync(path));
if (LIB === undefined) {
  console.error('dist/apps/*/libs/throttling not found: run "npm run build" first');
  process.exit(1);
}
const { MemoryRateLimitStore, RedisRateLimitStore, compilePolicy, formatRateLimit } = require(LIB);
const { Redis } = require('ioredis');

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1_000_000);
const KEYS = 10_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Large limits: the checks measure the common (allowed) path with all three limits active.
const policy = compilePolicy(
  { burst: 1_000_000, sustained: 10_000_000, dailyQuota: 100_000_000 },
  1,
  60,
  'open',
);
const keys = Array.from({ length: KEYS }, (_, i) => `web:all:standard:user:usr_${i}`);

function report(name, n, ms) {
  const perCheckUs = (ms * 1000) / n;
  console.log(
    `${name.padEnd(44)} ${String(n).padStart(9)} checks  ${Math.round((n / ms) * 1000)
      .toLocaleString('en-US')
      .padStart(11)} ops/s  ${perCheckUs.toFixed(3).padStart(9)} µs/check`,
  );
}

async function timed(name, n, fn) {
  const start = performance.now();
  await fn(n);
  report(name, n, performance.now() - start);
}

const memory = new MemoryRateLimitStore({ maxKeys: 100_000 });
// Warm-up so the JIT has compiled the hot path before measuring.
for (let i = 0; i < 200_000; i++) memory.consumeSync(keys[i % KEYS], policy, 1);

await timed('memory: consumeSync', ITERATIONS, async (n) => {
  for (let i = 0; i < n; i++) memory.consumeSync(keys[i % KEYS], policy, 1);
});
await timed('memory: await consume (guard path)', ITERATIONS, async (n) => {
  for (let i = 0; i < n; i++) await memory.consume(keys[i % KEYS], policy, 1);
});
await timed('memory: await consume + RateLimit header', ITERATIONS, async (n) => {
  for (let i = 0; i < n; i++)
    formatRateLimit(policy, await memory.consume(keys[i % KEYS], policy, 1));
});
const bounded = new MemoryRateLimitStore({ maxKeys: 1_000 });
await timed('memory: every check evicts (1k keys, 10k callers)', ITERATIONS, async (n) => {
  for (let i = 0; i < n; i++) bounded.consumeSync(keys[i % KEYS], policy, 1);
});
console.log(`memory store size after run: ${memory.size} (bounded store: ${bounded.size})`);

const prefix = `bench:${randomBytes(4).toString('hex')}:`;
const store = new RedisRateLimitStore({
  url: REDIS_URL,
  timeoutMs: 1_000,
  keyPrefix: prefix,
  fallbackMaxKeys: 1_000,
});
const admin = new Redis(REDIS_URL);
try {
  await admin.ping();
  const start = Date.now();
  while ((await store.consume('warmup', policy, 1)).shared !== true) {
    if (Date.now() - start > 5_000) throw new Error(`no Redis at ${REDIS_URL}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const redisN = Math.max(10_000, Math.floor(ITERATIONS / 10));
  await timed('redis: sequential (1 in flight, latency)', redisN, async (n) => {
    for (let i = 0; i < n; i++) {
      const d = await store.consume(keys[i % KEYS], policy, 1);
      if (!d.shared) throw new Error('Redis check fell back to memory');
    }
  });
  for (const inFlight of [16, 64]) {
    await timed(`redis: ${inFlight} concurrent (throughput)`, redisN, async (n) => {
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const i = next++;
          const d = await store.consume(keys[i % KEYS], policy, 1);
          if (!d.shared) throw new Error('Redis check fell back to memory');
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    });
  }
} finally {
  const toDelete = [...keys, 'warmup'].map((k) => prefix + k);
  for (let i = 0; i < toDelete.length; i += 1_000) {
    await admin.del(...toDelete.slice(i, i + 1_000)).catch(() => undefined);
  }
  await store.onModuleDestroy();
  admin.disconnect();
}
