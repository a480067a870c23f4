// Cost of declarative route policies (issue 22): the same POST pass-through route with and without
// a JSON Schema and three transformations, measured in the same run against the same upstream.
// Runs on the built output: `npm run build && node bench/route-policies.bench.mjs` (through npm's
// Node 24: `node_modules/.bin/node`). BENCH_SECONDS (default 3) per round, BENCH_ROUNDS (default 3)
// interleaved rounds each. CPU per request (the BFF process's user+system time / requests) is
// reported beside req/s: on a shared machine it moves much less than throughput.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, procStats, startProcess, waitHttp } from './lib/procs.mjs';
import { mainOf } from './lib/scenarios.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 20;
const main = mainOf('web-bff');
if (!existsSync(main)) {
  console.error(`${main} not found: run "npm run build" first`);
  process.exit(1);
}

// A snake_case upstream: reads the body, answers a fixed ~0.6 KB JSON.
const answer = JSON.stringify({
  order_id: 'ord_00001',
  customer_id: 'usr_0042',
  line_items: Array.from({ length: 6 }, (_, i) => ({
    sku_code: `prd_000${i}`,
    unit_price: 12.5 + i,
    quantity_ordered: i + 1,
  })),
  shipping_address: { street_line: 'Main Street 1', postal_code: '10115', country_code: 'DE' },
});
const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

const dir = mkdtempSync(join(tmpdir(), 'bench-route-policies-'));
writeFileSync(
  join(dir, 'order.schema.json'),
  JSON.stringify({
    type: 'object',
    required: ['sku', 'quantity'],
    properties: {
      sku: { type: 'string', pattern: '^prd_[0-9]{4}$' },
      quantity: { type: 'integer', minimum: 1, maximum: 10 },
      note: { type: 'string', maxLength: 200 },
    },
    additionalProperties: false,
  }),
);
const base = { service: 'orders', methods: ['POST'], auth: 'public' };
const routesFile = join(dir, 'routes.json');
writeFileSync(
  routesFile,
  JSON.stringify({
    routes: [
      { name: 'plain', prefix: '/api/v1/plain', ...base },
      {
        name: 'policies',
        prefix: '/api/v1/policies',
        ...base,
        maxResponseBytes: 1024 * 1024,
        validate: { body: 'order.schema.json' },
        transform: {
          request: [
            { op: 'header.set', name: 'x-channel', value: 'web' },
            { op: 'body.add', path: '/requestedAt', from: 'request.time' },
          ],
          response: [{ op: 'body.case', to: 'camel' }],
        },
      },
    ],
  }),
);

const port = await freePort();
// BENCH_CPU_PROF=<dir>: a V8 CPU profile of the BFF (policies route only) for bench/lib/profile.mjs.
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const bff = startProcess(
  'web-bff',
  process.execPath,
  [...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), main],
  {
    env: {
      NODE_ENV: 'production',
      BFF_HOST: '127.0.0.1',
      WEB_BFF_PORT: String(port),
      MOBILE_BFF_PORT: '0',
      ADMIN_BFF_PORT: '0',
      BFF_WORKERS: '1',
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false',
      BFF_DOCS_ENABLED: 'false',
      HEALTH_CRITICAL_SERVICES: 'none',
      WEB_BFF_ROUTES_FILE: routesFile,
      DOWNSTREAM_SERVICES: 'orders',
      DOWNSTREAM_ORDERS_URL: upstreamUrl,
      RATE_LIMIT_ENABLED: 'false',
      METRICS_ENABLED: 'false',
      RESILIENCE_ENABLED: 'false',
      CACHE_ENABLED: 'false',
      SHUTDOWN_DELAY_MS: '0',
    },
  },
);
const url = `http://127.0.0.1:${port}`;
const body = JSON.stringify({ sku: 'prd_0001', quantity: 2, note: 'leave at the door' });
const headers = { 'content-type': 'application/json' };

try {
  await waitHttp(`${url}/health/live`, 60_000, () => bff.running);
  // Verified before measured: the policies route validates and transforms.
  const ok = await fetch(`${url}/api/v1/policies`, { method: 'POST', headers, body });
  const text = await ok.text();
  if (ok.status !== 200 || !text.includes('"lineItems"')) {
    throw new Error(`policies route answered ${ok.status}: ${text.slice(0, 160)}`);
  }
  const bad = await fetch(`${url}/api/v1/policies`, { method: 'POST', headers, body: '{}' });
  if (bad.status !== 400)
    throw new Error(`policies route accepted an invalid body (${bad.status})`);
  const plain = await fetch(`${url}/api/v1/plain`, { method: 'POST', headers, body });
  if (plain.status !== 200) throw new Error(`plain route answered ${plain.status}`);

  const run = (path, duration) =>
    autocannon({
      url: `${url}${path}`,
      method: 'POST',
      headers,
      body,
      connections: CONNECTIONS,
      duration,
    });
  const results = { plain: [], policies: [] };
  for (const path of ['/api/v1/plain', '/api/v1/policies']) await run(path, 1); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['plain', 'policies']) {
      const cpuBefore = procStats(bff.pid).cpuMs;
      const r = await run(`/api/v1/${name}`, SECONDS);
      r.cpuUsPerRequest = ((procStats(bff.pid).cpuMs - cpuBefore) * 1000) / r.requests.total;
      if (r.non2xx > 0 || r.errors > 0)
        throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      results[name].push(r);
    }
  }
  const median = (list, pick) => {
    const v = list.map(pick).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const row = (name) => ({
    rps: median(results[name], (r) => r.requests.average),
    p50: median(results[name], (r) => r.latency.p50),
    p99: median(results[name], (r) => r.latency.p99),
    cpu: median(results[name], (r) => r.cpuUsPerRequest),
  });
  const a = row('plain');
  const b = row('policies');
  console.log(
    `node ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds x ${SECONDS} s, medians`,
  );
  const line = (label, r) =>
    console.log(
      `${label.padEnd(32)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(6)} ms  p99 ${String(r.p99).padStart(6)} ms  ${r.cpu.toFixed(0).padStart(5)} µs CPU/req`,
    );
  line('plain pass-through (POST)', a);
  line('schema + 3 transformations', b);
  console.log(
    `policies / plain: ${(b.rps / a.rps).toFixed(2)}x req/s, ${(b.cpu / a.cpu).toFixed(2)}x CPU per request`,
  );
} catch (error) {
  console.error(error.message);
  console.error(bff.output());
  process.exitCode = 1;
} finally {
  await bff.stop();
  upstream.closeAllConnections();
  upstream.close();
}
