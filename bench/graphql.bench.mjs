// The product page as a GraphQL query against the REST product page, in the same run: the built
// sandbox and web-bff (`npm run build` first), autocannon on loopback, interleaved rounds.
// Response cache and rate limits off (a cached page would measure the cache); both ask for the
// same parts: product, availability, reviews, 4 related products.
// `npm run bench:graphql` (BENCH_SECONDS per round, default 5; BENCH_ROUNDS, default 3).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const node = process.execPath;
const dist = (app) =>
  new URL(`../dist/apps/${app}/apps/${app}/src/main.js`, import.meta.url).pathname;
for (const app of ['sandbox', 'web-bff']) {
  if (!existsSync(dist(app))) {
    console.error(`${dist(app)} not found: run "npm run build" first`);
    process.exit(1);
  }
}

/** A free port below the ephemeral range (the sandbox takes 7 in a row). */
async function freePort(span = 1) {
  const bindable = (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 11_000);
    let ok = true;
    for (let i = 0; i < span && ok; i++) ok = await bindable(port + i);
    if (ok) return port;
  }
}

const sandboxPort = await freePort(7);
const webPort = await freePort();
const env = {
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  SANDBOX_PORT: String(sandboxPort),
  WEB_BFF_PORT: String(webPort),
  CACHE_ENABLED: 'false',
  RATE_LIMIT_ENABLED: 'false',
};
const procs = ['sandbox', 'web-bff'].map((app) =>
  spawn(node, [dist(app)], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
);
const stop = () => procs.forEach((p) => p.kill('SIGTERM'));
process.on('exit', stop);

const base = `http://127.0.0.1:${webPort}`;
const QUERY = `query ProductPage($id: ID!) { product(id: $id) {
  id sku name description category brand price { amount currency } thumbnailUrl tags
  availability { available inStock restockDate } reviews { averageRating count }
  related(first: 4) { id name price { amount currency } thumbnailUrl } } }`;
const graphqlBody = JSON.stringify({ query: QUERY, variables: { id: 'prd_0001' } });

// Ready: both answers complete (no partial parts), within a generous deadline.
const deadline = Date.now() + 60_000;
for (;;) {
  try {
    const rest = await fetch(`${base}/products/prd_0001`);
    const gql = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: graphqlBody,
    });
    const body = await gql.json();
    if (
      rest.status === 200 &&
      body.errors === undefined &&
      body.data?.product?.related?.length === 4
    )
      break;
  } catch {
    // Not listening yet.
  }
  if (Date.now() > deadline) {
    stop();
    throw new Error('web-bff and the sandbox did not become ready');
  }
  await new Promise((r) => setTimeout(r, 250));
}

const targets = {
  rest: { url: `${base}/products/prd_0001`, method: 'GET' },
  graphql: {
    url: `${base}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: graphqlBody,
  },
};
const results = { rest: [], graphql: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const name of round % 2 === 1 ? ['rest', 'graphql'] : ['graphql', 'rest']) {
    const r = await autocannon({ ...targets[name], connections: CONNECTIONS, duration: SECONDS });
    if (r.non2xx > 0 || r.errors > 0)
      throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    results[name].push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 });
    console.log(
      `round ${round} ${name.padEnd(7)} ${Math.round(r.requests.average)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms`,
    );
  }
}
stop();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rest = median(results.rest.map((r) => r.rps));
const gql = median(results.graphql.map((r) => r.rps));
console.log(
  `median req/s: REST ${Math.round(rest)}, GraphQL ${Math.round(gql)}; GraphQL / REST = ${(gql / rest).toFixed(2)}x (target >= 0.8x)`,
);
