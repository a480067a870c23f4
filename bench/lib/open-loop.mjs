// Open-loop load at a fixed request rate on undici: requests are sent on schedule whether or not
// earlier ones have answered, and each latency is measured from the time the request was DUE, so
// queueing in the server shows up (no coordinated omission, unlike closed-loop tools).
// Usage: node open-loop.mjs <json options>  ->  prints one JSON line.
// Options: { url, rate, durationS, headers, connections }
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { Pool } = require('undici');

const opts = JSON.parse(process.argv[2]);
const url = new URL(opts.url);
const pool = new Pool(url.origin, { connections: opts.connections ?? 256, pipelining: 1 });
const path = url.pathname + url.search;
const headers = opts.headers ?? {};
const total = Math.max(1, Math.round(opts.rate * opts.durationS));
const intervalMs = 1000 / opts.rate;
const latencies = new Float64Array(total);
let done = 0;
let ok = 0;
let non2xx = 0;
let errors = 0;
let sent = 0;
let lateMax = 0;

function fire(dueAt) {
  pool.request({ path, method: 'GET', headers }).then(
    async (res) => {
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 400) ok++;
      else non2xx++;
      finish(dueAt);
    },
    () => {
      errors++;
      finish(dueAt);
    },
  );
}

let resolveAll;
const allDone = new Promise((r) => (resolveAll = r));
function finish(dueAt) {
  latencies[done] = performance.now() - dueAt;
  if (++done === total) resolveAll();
}

const start = performance.now() + 20;
function tick() {
  const now = performance.now();
  while (sent < total) {
    const dueAt = start + sent * intervalMs;
    if (dueAt > now) break;
    lateMax = Math.max(lateMax, now - dueAt);
    sent++;
    fire(dueAt);
  }
  if (sent < total) setTimeout(tick, 1);
}
setTimeout(tick, 20);

// Whatever has not answered 30 s after the last send counts as an error (with that latency).
const guard = setTimeout(() => resolveAll(), opts.durationS * 1000 + 30_000);
await allDone;
clearTimeout(guard);
const measured = Array.from(latencies.subarray(0, done)).sort((a, b) => a - b);
const pct = (p) => measured[Math.min(measured.length - 1, Math.floor((p / 100) * measured.length))];
const elapsedS = (performance.now() - start) / 1000;
process.stdout.write(
  JSON.stringify({
    rate: opts.rate,
    sent,
    completed: done,
    ok,
    non2xx,
    errors: errors + (total - done),
    achievedRps: done / elapsedS,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: measured[measured.length - 1],
    // How late the generator itself fired (its own scheduling delay, a noise indicator).
    generatorLagMaxMs: lateMax,
  }) + '\n',
);
await pool.close();
process.exit(0);
