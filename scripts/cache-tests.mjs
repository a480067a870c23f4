// `npm run cache-tests`: the HTTP caching conformance suite (http-tests/cache-tests, kept in
// ../shared/cache-tests, see its RUN.md) against a cached pass-through route of the built web-bff.
//
//   suite client --> web-bff /ct/* (route "ct", cacheTtlSeconds 86400) --> suite origin server
//
// Starts the suite's origin server and the web-bff (dist/, built first when missing) on free
// ports, runs every test, writes the client's JSON to .cache-tests/results.json, prints
// `cache-tests: required P/160, all P/365` (totals from the suite's own definitions), the failing
// required tests and any "unsafe reuse" (a response that comes from the cache when it must not),
// and exits 1 below the thresholds. Both servers are always stopped (errors, timeout, Ctrl-C).
// Needs no `npm install` in the suite.
//
// Options:
//   --redis=<url>  use Redis as level 2 of the cache (default: in-memory only, REDIS_URL ignored)
//   --build        rebuild dist/ first (default: only when dist/ is missing)
//   --direct       run the suite against the origin server alone (baseline: no cache in front)
//   --id=<test-id> run one test with the suite's request/response dump (no figures, no thresholds)
//   --compare      print the same figures for the published results of real caches
//                  (../shared/cache-tests/results/*.json) and for the last run; runs nothing
// Environment: CACHE_TESTS_DIR overrides the suite's location.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** Minimum passing required tests (kind absent or `required`). */
const REQUIRED_MIN = 145;
/** Minimum passing tests of every kind (required, optimal, check). */
const ALL_MIN = 270;
/** Most tests allowed to fail with a response served from the cache when it must not be. */
const UNSAFE_REUSE_MAX = 0;
/** The whole run, servers included (the suite itself takes about a minute). */
const OVERALL_TIMEOUT_MS = 6 * 60_000;
/** Time for a server to answer after its start. */
const START_TIMEOUT_MS = 30_000;
/** Failing required tests printed (all of them are in the results file). */
const MAX_LISTED = 60;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUITE = findSuite();

/**
 * The suite beside the repository (`../shared/cache-tests`), or beside the repository this one was
 * cloned from (a CI clone elsewhere), unless CACHE_TESTS_DIR names it.
 */
function findSuite() {
  if (process.env.CACHE_TESTS_DIR !== undefined) return resolve(ROOT, process.env.CACHE_TESTS_DIR);
  const beside = resolve(ROOT, '../shared/cache-tests');
  if (existsSync(beside)) return beside;
  try {
    const origin = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: ROOT })
      .toString()
      .trim()
      .replace(/^file:\/\//, '');
    if (isAbsolute(origin)) {
      const besideOrigin = resolve(origin, '../shared/cache-tests');
      if (existsSync(besideOrigin)) return besideOrigin;
    }
  } catch {
    // Not a clone, or no origin: the default path is reported.
  }
  return beside;
}
const OUT = join(ROOT, '.cache-tests');
const RESULTS = join(OUT, 'results.json');
const BFF_MAIN = join(ROOT, 'dist/apps/web-bff/apps/web-bff/src/main.js');

/** The route under test. */
const ROUTE = {
  name: 'ct',
  prefix: '/ct',
  service: 'origin',
  auth: 'public',
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  cacheTtlSeconds: 86400,
  cacheDefaultTtlSeconds: 0,
  // The suite's request number: its origin needs it to tell requests apart (without it every
  // test fails as "retry"). Cached GET/HEAD forward only listed client headers; this one is the
  // harness's own and keyed by nothing.
  cacheUnkeyedHeaders: ['req-num'],
  // The origin's own 5xx answers are what the status tests look at (the BFF's default replaces
  // them with its typed JSON errors).
  upstreamErrors: 'relay',
};

const { values: opt } = parseArgs({
  options: {
    redis: { type: 'string' },
    build: { type: 'boolean', default: false },
    id: { type: 'string' },
    compare: { type: 'boolean', default: false },
    direct: { type: 'boolean', default: false },
  },
});

const log = (line) => process.stderr.write(`[cache-tests] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Figures, computed with the suite's own test definitions

/**
 * Test definitions as the command-line client runs them (browser-only tests are skipped there).
 * `kind`: absent or `required` = required by the RFCs, `optimal`, `check`.
 */
async function loadDefinitions() {
  const suites = (await import(pathToFileURL(join(SUITE, 'tests/index.mjs')).href)).default;
  return suites.flatMap((suite) => suite.tests).filter((test) => test.browser_only !== true);
}

const isRequired = (test) => test.kind === undefined || test.kind === 'required';
const messageOf = (result) => (Array.isArray(result) ? String(result[1] ?? result[0]) : 'not run');

/** The client's messages when a response was served from the cache although it must not be. */
const UNSAFE = /\bcomes from cache\b/;

/** Pass counts, failing required tests and unsafe reuse of one results object. */
function figures(definitions, results) {
  let required = 0;
  let requiredTotal = 0;
  let all = 0;
  const failing = [];
  const unsafe = [];
  for (const test of definitions) {
    const result = results[test.id];
    const pass = result === true;
    if (pass) all += 1;
    if (isRequired(test)) {
      requiredTotal += 1;
      if (pass) required += 1;
      else failing.push({ id: test.id, result });
    }
    if (!pass && test.kind !== 'check' && result !== undefined && UNSAFE.test(messageOf(result))) {
      unsafe.push({ id: test.id, kind: test.kind ?? 'required', result });
    }
  }
  const notRun = definitions.filter((t) => !(t.id in results)).length;
  return { required, requiredTotal, all, allTotal: definitions.length, failing, unsafe, notRun };
}

const figureLine = (f) => `required ${f.required}/${f.requiredTotal}, all ${f.all}/${f.allTotal}`;

const brief = (text, max = 110) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function describe(result) {
  if (result === undefined) return 'not run';
  const [type, message] = result;
  return brief(type === 'Assertion' ? String(message) : `${type}: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// --compare: published results of real caches

async function compare() {
  const definitions = await loadDefinitions();
  const dir = join(SUITE, 'results');
  const index = (await import(pathToFileURL(join(dir, 'index.mjs')).href)).default;
  const rows = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const meta = index.find((m) => m.file === file) ?? { name: file, type: '?' };
    const f = figures(definitions, JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const label = `${meta.name} ${meta.version ?? ''}`.trim();
    rows.push({ label, type: meta.type, f });
  }
  rows.sort((a, b) => b.f.required - a.f.required || b.f.all - a.f.all);
  const ours = [
    [RESULTS, 'this BFF'],
    [join(OUT, 'results-direct.json'), 'no cache (--direct)'],
  ];
  for (const [file, name] of ours.reverse()) {
    if (!existsSync(file)) continue;
    const when = statSync(file).mtime.toISOString().slice(0, 16).replace('T', ' ');
    const f = figures(definitions, JSON.parse(readFileSync(file, 'utf8')));
    rows.unshift({ label: `${name}, last run ${when} UTC`, type: 'local', f });
  }
  const commit = existsSync(join(SUITE, 'UPSTREAM_COMMIT'))
    ? readFileSync(join(SUITE, 'UPSTREAM_COMMIT'), 'utf8').trim().split(/\s+/)[0].slice(0, 7)
    : 'unknown';
  console.log(`cache-tests: published results (${dir}, suite ${commit})`);
  const width = Math.max(...rows.map((r) => r.label.length));
  for (const { label, type, f } of rows) {
    const notes = [];
    if (f.unsafe.length > 0) notes.push(`unsafe reuse ${f.unsafe.length}`);
    if (f.notRun > 0) notes.push(`${f.notRun} not run`);
    const extra = notes.length > 0 ? `  (${notes.join(', ')})` : '';
    console.log(`  ${label.padEnd(width)}  ${type.padEnd(9)}  ${figureLine(f)}${extra}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Children still running; stopped on every way out. */
const children = new Set();
let tmp;

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts a child whose output goes to `logFile` (and to memory, for start-up errors). */
function start(name, args, { env, cwd = ROOT, logFile, logStdout = true }) {
  const child = spawn(nodeBinary(), args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  const sink = logFile === undefined ? undefined : { file: logFile, chunks: [] };
  const collect = (chunk) => {
    if (child.output.length < 1_000_000) child.output += chunk;
    sink?.chunks.push(chunk);
  };
  child.stdout.setEncoding('utf8');
  if (logStdout) child.stdout.on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  child.exited = once(child, 'exit').then(([code, signal]) => {
    children.delete(child);
    if (sink !== undefined) writeFileSync(sink.file, sink.chunks.join(''));
    return { code, signal };
  });
  child.label = name;
  children.add(child);
  return child;
}

/** SIGTERM, then SIGKILL after 5 s, for every child still running. */
async function stopAll() {
  const running = [...children];
  for (const child of running) child.kill('SIGTERM');
  const killer = setTimeout(() => running.forEach((c) => c.kill('SIGKILL')), 5_000);
  await Promise.all(running.map((c) => c.exited));
  clearTimeout(killer);
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}

/** This node when it is recent enough for the BFF (>= 22), else the repository's own. */
function nodeBinary() {
  const local = join(ROOT, 'node_modules/.bin/node');
  return Number(process.versions.node.split('.')[0]) >= 22 || !existsSync(local)
    ? process.execPath
    : local;
}

/** Resolves once `url` answers (any status), or fails when the child exits first. */
async function waitForHttp(child, url) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) return false;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      return true;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${child.label} did not answer ${url} within ${START_TIMEOUT_MS / 1000} s`);
}

/** Rebuilds dist/ with `npm run build` (which also puts nest on the PATH). */
async function build() {
  log('building (npm run build)');
  const child = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`npm run build exited ${code}`);
}

/** Newest modification time under a directory (sources only). */
function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json'))
      max = Math.max(max, statSync(path).mtimeMs);
  }
  return max;
}

// The suite's client imports `undici` for its interim-response tests (a dispatcher passed to the
// global fetch). No `npm install` in the suite: `undici` resolves to the Agent class of Node's own
// fetch (the only one compatible with it), taken from the global dispatcher. Written to the temp
// dir; `preload.mjs` is the client's `--import`.
const UNDICI_FILES = {
  'undici-shim.mjs': `void globalThis.fetch;
const dispatcher = globalThis[Symbol.for('undici.globalDispatcher.1')];
if (dispatcher === undefined) throw new Error('no global undici dispatcher in this Node.js');
export const Agent = dispatcher.constructor;
`,
  'undici-hooks.mjs': `const shim = new URL('./undici-shim.mjs', import.meta.url).href;
export const resolve = (s, c, next) =>
  s === 'undici' ? { url: shim, shortCircuit: true } : next(s, c);
`,
  'preload.mjs': `import * as mod from 'node:module';
import { resolve } from './undici-hooks.mjs';
if (typeof mod.registerHooks === 'function') mod.registerHooks({ resolve });
else mod.register('./undici-hooks.mjs', import.meta.url);
`,
};

// ---------------------------------------------------------------------------------------------
// The run

async function startOrigin() {
  const port = await freePort();
  const origin = start('origin', ['test-engine/server/server.mjs'], {
    cwd: SUITE,
    logFile: join(OUT, 'origin.log'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      npm_config_protocol: 'http',
      npm_config_port: String(port),
      npm_config_pidfile: join(tmp, 'origin.pid'),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitForHttp(origin, `${url}/state/none`))) {
    throw new Error(`the suite's origin server exited:\n${origin.output}`);
  }
  return url;
}

/** Environment of the BFF: only what is set here (plus PATH/HOME), nothing inherited. */
function bffEnv(port, originUrl, routesFile) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    BFF_HOST: '127.0.0.1',
    WEB_BFF_PORT: String(port),
    BFF_WORKERS: '1',
    LOG_LEVEL: 'warn',
    LOG_REQUESTS: 'false',
    HEALTH_CRITICAL_SERVICES: 'none',
    // Stops at once (production defaults keep the listener open for a load balancer).
    SHUTDOWN_DELAY_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '2000',
    // One downstream: the suite's origin. No retries (the suite flags retried requests), no
    // breaker or ejection (some tests answer 5xx or drop the connection on purpose).
    DOWNSTREAM_SERVICES: 'origin',
    DOWNSTREAM_ORIGIN_URL: originUrl,
    DOWNSTREAM_ORIGIN_TIMEOUT_MS: '20000',
    DOWNSTREAM_ORIGIN_RETRY_MAX_ATTEMPTS: '1',
    DOWNSTREAM_ORIGIN_BREAKER_MIN_CALLS: '1000000',
    DOWNSTREAM_ORIGIN_BREAKER_FAILURE_RATIO: '1',
    DOWNSTREAM_ORIGIN_BULKHEAD_MAX_CONCURRENT: '1024',
    DOWNSTREAM_ORIGIN_BULKHEAD_QUEUE: '1024',
    DOWNSTREAM_ORIGIN_EJECT_AFTER: '0',
    // One test holds its response for 5 s (the client gives up after 10 s).
    BFF_DEADLINE_MS: '20000',
    WEB_BFF_ROUTES_FILE: routesFile,
    MOBILE_BFF_ROUTES_FILE: 'none',
    ADMIN_BFF_ROUTES_FILE: 'none',
    // Nothing else in the way: anonymous callers, no limits, no sessions, files in the temp dir.
    RATE_LIMIT_ENABLED: 'false',
    RATE_LIMIT_STORE: 'memory',
    SESSION_ENABLED: 'false',
    AUTH_OIDC_ISSUERS: 'none',
    AUTH_API_KEYS_STORE: 'file',
    AUTH_API_KEYS_FILE: join(tmp, 'api-keys.json'),
    AUDIT_LOG_PATH: join(tmp, 'audit.log'),
    // The cache under test: on, memory only unless --redis, a key prefix of its own.
    CACHE_ENABLED: 'true',
    CACHE_REDIS: opt.redis === undefined ? 'false' : 'true',
    CACHE_KEY_PREFIX: `cache-tests:${process.pid}:${Date.now()}:`,
    ...(opt.redis === undefined ? {} : { REDIS_URL: opt.redis }),
  };
}

/** Starts the web-bff with the route under test. */
async function startBff(originUrl) {
  if (opt.build || !existsSync(BFF_MAIN)) await build();
  else if (newest(join(ROOT, 'libs')) > statSync(BFF_MAIN).mtimeMs) {
    log('note: dist/ is older than libs/ (run with --build to test the current sources)');
  }
  const routesFile = join(tmp, 'routes.json');
  writeFileSync(routesFile, JSON.stringify({ routes: [ROUTE] }, null, 2));
  const port = await freePort();
  const bff = start('web-bff', ['--enable-source-maps', BFF_MAIN], {
    logFile: join(OUT, 'web-bff.log'),
    env: bffEnv(port, originUrl, routesFile),
  });
  const url = `http://127.0.0.1:${port}`;
  if (await waitForHttp(bff, `${url}/health/live`)) return { url, route: ROUTE };
  throw new Error(`web-bff exited before answering:\n${bff.output.trim()}`);
}

/** Runs the suite's client against `base`; resolves to its stdout. */
async function runClient(base, id) {
  for (const [name, text] of Object.entries(UNDICI_FILES)) writeFileSync(join(tmp, name), text);
  const preload = pathToFileURL(join(tmp, 'preload.mjs')).href;
  const client = start('client', ['--no-warnings', '--import', preload, 'test-engine/cli.mjs'], {
    cwd: SUITE,
    logFile: id === undefined ? join(OUT, 'client.log') : undefined,
    logStdout: false,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      npm_config_base: base,
      npm_config_id: id ?? '',
      npm_package_config_id: '',
    },
  });
  let stdout = '';
  client.stdout.on('data', (chunk) => (stdout += chunk));
  if (id !== undefined) client.stdout.on('data', (chunk) => process.stdout.write(chunk));
  const { code, signal } = await client.exited;
  if (code !== 0) {
    throw new Error(`the suite's client exited ${signal ?? code}:\n${brief(client.output, 4000)}`);
  }
  return stdout;
}

async function run() {
  const started = Date.now();
  if (!existsSync(join(SUITE, 'test-engine/cli.mjs'))) {
    throw new Error(`no conformance suite at ${SUITE} (see CACHE_TESTS_DIR)`);
  }
  mkdirSync(OUT, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'cache-tests-'));
  const definitions = await loadDefinitions();

  const originUrl = await startOrigin();
  let base = originUrl;
  if (opt.direct) log(`origin ${originUrl} alone (--direct); running the suite`);
  else {
    const { url, route } = await startBff(originUrl);
    base = `${url}${route.prefix}`;
    const cacheNote = opt.redis === undefined ? 'memory cache' : `memory + Redis ${opt.redis}`;
    log(`origin ${originUrl}, web-bff ${base} (${cacheNote}); running the suite`);
  }

  const stdout = await runClient(base, opt.id);
  if (opt.id !== undefined) {
    await stopAll();
    log(`the origin's side of ${opt.id}: ${join(OUT, 'origin.log')}`);
    return 0;
  }

  let results;
  try {
    results = JSON.parse(stdout);
  } catch {
    throw new Error(`the suite's client printed no JSON:\n${brief(stdout, 2000)}`);
  }
  // --direct is a baseline: it does not replace the BFF's results (used by --compare).
  const file = opt.direct ? join(OUT, 'results-direct.json') : RESULTS;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  await stopAll();

  const f = figures(definitions, results);
  console.log(`cache-tests: ${figureLine(f)}`);
  if (f.failing.length > 0) {
    console.log(`failing required tests (${f.failing.length}):`);
    for (const { id, result } of f.failing.slice(0, MAX_LISTED)) {
      console.log(`  ${id}: ${describe(result)}`);
    }
    if (f.failing.length > MAX_LISTED) {
      console.log(`  ... and ${f.failing.length - MAX_LISTED} more (${file})`);
    }
  }
  console.log(`unsafe reuse (served from cache when it must not be): ${f.unsafe.length}`);
  for (const { id, kind, result } of f.unsafe) {
    console.log(`  ${id} [${kind}]: ${describe(result)}`);
  }
  if (f.notRun > 0) console.log(`note: ${f.notRun} tests have no result`);

  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (opt.direct) {
    console.log(`cache-tests: baseline without the BFF, no thresholds (${took}; ${file})`);
    return 0;
  }
  const problems = [];
  if (f.required < REQUIRED_MIN) problems.push(`required ${f.required} < ${REQUIRED_MIN}`);
  if (f.all < ALL_MIN) problems.push(`all ${f.all} < ${ALL_MIN}`);
  if (f.unsafe.length > UNSAFE_REUSE_MAX) {
    problems.push(`unsafe reuse ${f.unsafe.length} > ${UNSAFE_REUSE_MAX}`);
  }
  console.log(
    problems.length === 0
      ? `cache-tests: ok (${took}; results in ${file})`
      : `cache-tests: FAILED: ${problems.join(', ')} (${took}; results in ${file})`,
  );
  return problems.length === 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (opt.compare) {
    await compare();
    return 0;
  }
  const timer = setTimeout(() => {
    log(`overall timeout (${OVERALL_TIMEOUT_MS / 1000} s); stopping`);
    void stopAll().finally(() => process.exit(1));
  }, OVERALL_TIMEOUT_MS);
  timer.unref();
  try {
    return await run();
  } finally {
    clearTimeout(timer);
    await stopAll();
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    log(`error: ${error.message}`);
    await stopAll();
    process.exit(1);
  },
);
