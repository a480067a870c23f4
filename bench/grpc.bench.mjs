// The web product page with inventory and reviews over gRPC against the same page over HTTP, in
// the same run: one sandbox (both listeners), two web BFFs that differ only by
// DOWNSTREAM_{INVENTORY,REVIEWS}_TRANSPORT, interleaved rounds of closed-loop load (autocannon).
// Runs on the built output: `npm run build && npm run bench:grpc [-- --duration 4 --rounds 2]`.
import { parseArgs } from 'node:util';
import { freePort, procStats, startProcess, waitHttp } from './lib/procs.mjs';
import { runAutocannon } from './lib/load.mjs';

const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '16' },
  },
});
const durationS = Number(opt.duration);
const rounds = Number(opt.rounds);
const connections = Number(opt.connections);
const ROOT = new URL('..', import.meta.url).pathname;
const PAGE = '/products/prd_0001';

/** Sandbox ports are the control port + 1..15: try a few bases until one is free. */
async function startSandbox() {
  for (let attempt = 0; attempt < 5; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 11_000);
    const proc = startProcess(
      'sandbox',
      process.execPath,
      ['dist/apps/sandbox/apps/sandbox/src/main.js'],
      {
        cwd: ROOT,
        env: { SANDBOX_PORT: String(base), LOG_LEVEL: 'warn' },
      },
    );
    try {
      await waitHttp(`http://127.0.0.1:${base}/health`, 30_000, () => proc.running);
      return { proc, base };
    } catch {
      await proc.stop();
    }
  }
  throw new Error('the sandbox did not start on any of 5 port ranges');
}

async function startBff(name, base, extra) {
  const port = await freePort();
  const proc = startProcess(
    name,
    process.execPath,
    ['dist/apps/web-bff/apps/web-bff/src/main.js'],
    {
      cwd: ROOT,
      env: {
        NODE_ENV: 'production',
        BFF_HOST: '127.0.0.1',
        WEB_BFF_PORT: String(port),
        SANDBOX_PORT: String(base),
        BFF_WORKERS: '1',
        LOG_LEVEL: 'warn',
        LOG_REQUESTS: 'false',
        BFF_DOCS_ENABLED: 'false',
        HEALTH_CRITICAL_SERVICES: 'none',
        WEB_BFF_ROUTES_FILE: 'none',
        RATE_LIMIT_ENABLED: 'false',
        CACHE_ENABLED: 'false',
        SHUTDOWN_DELAY_MS: '0',
        ...extra,
      },
    },
  );
  proc.base = `http://127.0.0.1:${port}`;
  await waitHttp(`${proc.base}/health/live`, 60_000, () => proc.running);
  return proc;
}

const { proc: sandbox, base } = await startSandbox();
const targets = [];
try {
  targets.push({
    label: 'product page, inventory + reviews over HTTP (undici)',
    proc: await startBff('http', base, {}),
  });
  targets.push({
    label: 'product page, inventory + reviews over gRPC',
    proc: await startBff('grpc', base, {
      DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc',
      DOWNSTREAM_REVIEWS_TRANSPORT: 'grpc',
      ...(process.env.BENCH_CPU_PROF_DIR
        ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}` }
        : {}),
    }),
  });
  // Same answers, nothing partial: otherwise the comparison means nothing.
  const pages = await Promise.all(
    targets.map(async (t) => (await fetch(t.proc.base + PAGE)).json()),
  );
  if (JSON.stringify(pages[0]) !== JSON.stringify(pages[1]) || pages[1].meta.partial.length > 0) {
    throw new Error(`the two product pages differ:\n${JSON.stringify(pages, null, 1)}`);
  }
  // Warm-up: JIT, pools and channels.
  for (const t of targets)
    await runAutocannon({ url: t.proc.base + PAGE, durationS: 1, connections });
  for (const t of targets) t.runs = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      const before = procStats(t.proc.pid).cpuMs;
      const result = await runAutocannon({ url: t.proc.base + PAGE, durationS, connections });
      const cpuMs = procStats(t.proc.pid).cpuMs - before;
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${t.label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      }
      t.runs.push({ ...result, cpuUsPerReq: (cpuMs * 1000) / result.requests });
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const rows = targets.map((t) => ({
    label: t.label,
    rps: median(t.runs.map((r) => r.rps)),
    p50: median(t.runs.map((r) => r.p50)),
    p99: median(t.runs.map((r) => r.p99)),
    cpu: median(t.runs.map((r) => r.cpuUsPerReq)),
    all: t.runs.map((r) => Math.round(r.rps)).join(' / '),
  }));
  console.log(
    `\n${rounds} rounds x ${durationS} s, ${connections} connections, autocannon, medians (lower median for even counts)`,
  );
  console.log('| target | req/s | p50 ms | p99 ms | BFF CPU µs/req | req/s per round |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${Math.round(r.rps)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${Math.round(r.cpu)} | ${r.all} |`,
    );
  }
  console.log(`\ngRPC / HTTP req/s: ${(rows[1].rps / rows[0].rps).toFixed(2)}x`);
} finally {
  for (const t of targets) await t.proc.stop();
  await sandbox.stop();
}
