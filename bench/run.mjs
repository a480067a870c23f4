// `npm run bench`: the BFFs side by side with a direct call, nginx and other Node.js gateways, on
// loopback, in the same run. See bench/README.md for scenarios, options and how to read the table.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runAutocannon, runOpenLoop, runWrk, writeWrkScript } from './lib/load.mjs';
import { procStats, startProcess } from './lib/procs.mjs';
import { renderProfile, summarizeProfile } from './lib/profile.mjs';
import { renderMarkdown, renderSoak, summarize } from './lib/report.mjs';
import {
  NotAvailable,
  TARGETS,
  cleanRedis,
  get,
  mainOf,
  redisReachable,
} from './lib/scenarios.mjs';
import { ensureTool } from './lib/tools.mjs';

const require = createRequire(import.meta.url);
const ROOT = new URL('..', import.meta.url).pathname;
const log = (...a) => console.error('[bench]', ...a);

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    rate: { type: 'string', default: '1000' },
    scenario: { type: 'string' },
    'no-peers': { type: 'boolean', default: false },
    'no-fixed-rate': { type: 'boolean', default: false },
    'no-install': { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    'soak-minutes': { type: 'string', default: '10' },
    base: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (opt.help) {
  console.log(`usage: node bench/run.mjs [options]   (npm run bench / npm run bench:quick)
  --quick               2 s per measurement (smoke run)
  --duration S          seconds per measurement (default 10)
  --rounds N            interleaved rounds, medians reported (default 3)
  --connections N       wrk connections (default 50)   --threads N   wrk threads (default 1)
  --rate R              fixed request rate of the open-loop latency runs (default 1000/s)
  --scenario a,b        only these targets (${TARGETS.map((t) => t.name).join(', ')});
                        the peers are added unless one is named or --no-peers is given
  --no-fixed-rate       saturation only       --no-install   never apt-get wrk/nginx
  --build               npm run build first (the npm scripts pass it)
  --cpu-prof            profile the BFF processes (node --cpu-prof) and add their top costs
  --soak [--soak-minutes M]  one BFF scenario under load for M minutes (default 10), RSS over time
  --base DIR            also run each selected BFF scenario on the build in DIR (another checkout,
                        built), as <scenario>@base: before/after in the same run`);
  process.exit(0);
}

const int = (v, name, min) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
};
const settings = {
  durationS: int(opt.duration ?? (opt.quick ? 2 : 10), 'duration', 1),
  rounds: int(opt.rounds ?? 3, 'rounds', 1),
  connections: int(opt.connections, 'connections', 1),
  threads: int(opt.threads, 'threads', 1),
  rate: int(opt.rate, 'rate', 1),
  fixedRate: !opt['no-fixed-rate'],
};
settings.warmupS = Math.max(1, Math.round(settings.durationS / 2));

function selectTargets() {
  if (!opt.scenario) return withBase(TARGETS);
  const names = opt.scenario
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) throw new Error(`unknown --scenario ${unknown.join(', ')}`);
  const peersNamed = TARGETS.some((t) => t.kind === 'peer' && names.includes(t.name));
  return withBase(
    TARGETS.filter(
      (t) =>
        names.includes(t.name) ||
        (t.kind === 'peer' && !peersNamed && !opt['no-peers'] && !opt.soak),
    ),
  );
}

/** --base DIR: each BFF target once more, started from DIR's build. */
function withBase(targets) {
  if (!opt.base) return targets;
  const root = new URL(
    `file://${opt.base.startsWith('/') ? opt.base : join(process.cwd(), opt.base)}/`,
  ).pathname;
  if (!existsSync(mainOf('web-bff', root)))
    throw new Error(`--base ${root}: no build (npm run build there)`);
  const base = targets
    .filter((t) => t.kind === 'bff')
    .map((t) => ({
      ...t,
      name: `${t.name}@base`,
      title: `${t.title} (--base build)`,
      candidates: t.candidates.map((c) => ({
        ...c,
        start: (ctx, name) => c.start({ ...ctx, root }, name),
      })),
    }));
  return [...targets, ...base];
}

function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
    if (dirty.trim()) commit += ' (uncommitted changes)';
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit,
    loadAvgAtStart: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

/** RSA key, JWKS and a premium-tier access token, the same for the BFF and the Express gateway. */
function identity() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'bench-1';
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    sign: (issuer) =>
      require('jsonwebtoken').sign(
        { sub: 'bench-user', client_id: 'bench-client', tier: 'premium', scope: 'catalog:read' },
        privateKey,
        {
          algorithm: 'RS256',
          keyid: kid,
          header: { typ: 'at+jwt' },
          issuer,
          audience: 'web-bff',
          expiresIn: '12h',
        },
      ),
  };
}

const running = [];
const ctx = {
  runId: randomBytes(4).toString('hex'),
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};
async function stopAll() {
  await Promise.all(running.splice(0).map((p) => p.stop().catch(() => undefined)));
}
process.on('SIGINT', () => stopAll().then(() => process.exit(130)));

async function startTarget(ctx, target) {
  const out = { target, reasons: [] };
  const candidates = target.candidates ?? [
    { label: target.title, path: target.path, start: target.start, verify: target.verify },
  ];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    let proc;
    try {
      proc = await c.start(ctx, target.name);
      await c.verify?.(ctx, proc);
      Object.assign(out, { proc, candidate: c, index: i, path: c.path });
      if (!proc.shared) running.push(proc);
      return out;
    } catch (error) {
      if (proc && !proc.shared) await proc.stop();
      const reason = error instanceof NotAvailable ? error.message : `error: ${error.message}`;
      out.reasons.push(candidates.length > 1 ? `${c.label}: ${reason}` : reason);
    }
  }
  return out;
}

async function measure(ctx, entry, kind, durationS) {
  const url = entry.proc.base + entry.path;
  const headers = entry.target.headers?.(ctx) ?? {};
  const before = procStats(entry.proc.pid);
  let r;
  if (kind === 'fixed') {
    // At most half of what the target sustained in the first round: a fixed rate above capacity
    // only measures an ever-growing queue.
    const first = entry.samples.sat[0]?.rps ?? Infinity;
    const rate = Math.max(1, Math.min(settings.rate, Math.floor(first / 2)));
    r = { ...(await runOpenLoop({ url, headers, durationS, rate })), rate };
  } else if (ctx.wrk.path) {
    r = await runWrk({
      wrk: ctx.wrk.path,
      script: ctx.wrkScript,
      url,
      headers,
      durationS,
      connections: settings.connections,
      threads: settings.threads,
    });
  } else r = await runAutocannon({ url, headers, durationS, connections: settings.connections });
  const after = procStats(entry.proc.pid);
  r.cpuUsPerReq = r.requests > 0 ? ((after.cpuMs - before.cpuMs) * 1000) / r.requests : null;
  return r;
}

async function main() {
  const info = machine();
  if (!process.version.startsWith('v24.'))
    log(`warning: running on Node ${process.version}, not the pinned Node 24 (use npm run bench)`);
  if (opt.build) {
    log('npm run build...');
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  if (!existsSync(mainOf('web-bff')))
    throw new Error(`${mainOf('web-bff')} is missing: run npm run build`);

  const install = !opt['no-install'];
  const targets = selectTargets();
  ctx.wrk = ensureTool('wrk', 'wrk', { install, log });
  if (!ctx.wrk.path) log(`${ctx.wrk.reason}: falling back to autocannon`);
  ctx.nginx = targets.some((t) => t.name === 'nginx')
    ? ensureTool('nginx', 'nginx-light', { install, log })
    : { reason: 'not selected' };
  ctx.tmp = mkdtempSync(join(os.tmpdir(), 'bff-bench-'));
  ctx.wrkScript = writeWrkScript(ctx.tmp);
  if (opt['cpu-prof']) ctx.cpuProfDir = join(ROOT, 'bench/results', `profiles-${ctx.runId}`);
  ctx.redisOk = await redisReachable(ctx.redisUrl);

  const id = identity();
  const upstream = startProcess(
    'upstream',
    process.execPath,
    [new URL('./lib/upstream.mjs', import.meta.url).pathname],
    {
      env: { BENCH_JWKS: JSON.stringify(id.jwks), PORT: '0' },
      readyLine: /READY (\d+)/,
    },
  );
  running.push(upstream);
  ctx.upstreamPort = await upstream.ready;
  ctx.upstream = `http://127.0.0.1:${ctx.upstreamPort}`;
  ctx.upstreamProc = upstream;
  ctx.issuer = `${ctx.upstream}/idp`;
  ctx.publicKeyPem = id.publicKeyPem;
  ctx.authHeaders = { authorization: `Bearer ${id.sign(ctx.issuer)}` };
  const bodyBytes = (await get(`${ctx.upstream}/api/v1/catalog/products/prd_0001`)).text.length;
  log(
    `upstream on ${ctx.upstream} (${bodyBytes} B JSON), tool: ${ctx.wrk.path ? 'wrk' : 'autocannon'}, redis: ${ctx.redisOk ? 'up' : 'down'}`,
  );

  const entries = [];
  for (const target of targets) {
    log(`starting ${target.name}...`);
    const entry = await startTarget(ctx, target);
    if (entry.proc) log(`  ${target.name}: ok (${entry.candidate.label})`);
    else log(`  ${target.name}: n/a (${entry.reasons.join(' | ')})`);
    entries.push(entry);
  }
  // The two transports must be compared on the same route.
  const undici = entries.find((e) => e.target.name === 'transport-undici');
  const axios = entries.find((e) => e.target.name === 'transport-axios');
  if (undici?.proc && axios?.proc && undici.index < axios.index) {
    await undici.proc.stop();
    running.splice(running.indexOf(undici.proc), 1);
    const again = await startTarget(ctx, {
      ...undici.target,
      candidates: undici.target.candidates.slice(axios.index),
    });
    Object.assign(undici, again, { index: axios.index });
  }

  if (opt.soak) return soak(ctx, info, entries);

  const live = entries.filter((e) => e.proc);
  for (const e of live) e.samples = { sat: [], fixed: [] };
  log(`warm-up ${settings.warmupS} s each...`);
  for (const e of live) await measure(ctx, e, 'sat', settings.warmupS);
  for (let round = 1; round <= settings.rounds; round++) {
    for (const e of live) {
      const r = await measure(ctx, e, 'sat', settings.durationS);
      e.samples.sat.push(r);
      log(
        `round ${round} ${e.target.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`,
      );
    }
    if (settings.fixedRate) {
      for (const e of live) {
        const r = await measure(ctx, e, 'fixed', settings.durationS);
        e.samples.fixed.push(r);
        log(
          `round ${round} ${e.target.name} @${settings.rate}/s: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`,
        );
      }
    }
  }
  for (const e of live) e.stats = procStats(e.proc.pid);
  info.loadAvgAtEnd = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  info.tool = ctx.wrk.path ? 'wrk' : 'autocannon';
  info.upstreamBodyBytes = bodyBytes;

  const result = summarize(info, settings, entries);
  let md = renderMarkdown(result);
  if (ctx.cpuProfDir) {
    await stopAll();
    result.profiles = {};
    for (const file of readdirSync(ctx.cpuProfDir).filter((f) => f.endsWith('.cpuprofile'))) {
      const name = file.replace('.cpuprofile', '');
      result.profiles[name] = summarizeProfile(join(ctx.cpuProfDir, file));
      md += `\n\n${renderProfile(name, result.profiles[name])}`;
    }
  }
  process.stdout.write(`\n${md}\n`);
  writeResults(result, md);
}

function writeResults(result, md) {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = result.machine.date.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(result, null, 2));
  writeFileSync(join(dir, `${stamp}.md`), md);
  log(`written bench/results/${stamp}.json and .md`);
}

/** One BFF scenario under saturation for minutes, RSS sampled over time. */
async function soak(ctx, info, entries) {
  const order = ['full-stack', 'passthrough', 'aggregation'];
  const picked =
    entries.find((e) => e.proc && e.target.kind === 'bff' && opt.scenario) ??
    order.map((n) => entries.find((e) => e.proc && e.target.name === n)).find(Boolean);
  if (!picked) throw new Error('no BFF scenario could run for the soak');
  const minutes = Number(opt['soak-minutes']);
  const totalS = Math.max(10, Math.round(minutes * 60));
  const everyS = Math.min(10, Math.max(1, Math.round(totalS / 30)));
  log(`soak: ${picked.target.name} for ${totalS} s, RSS every ${everyS} s`);
  const samples = [];
  const started = Date.now();
  const load = measure(ctx, picked, 'sat', totalS);
  let finished = false;
  load.finally(() => (finished = true));
  while (!finished) {
    const s = procStats(picked.proc.pid);
    samples.push({
      t: Math.round((Date.now() - started) / 1000),
      rssMb: s.rssMb,
      peakRssMb: s.peakRssMb,
    });
    await Promise.race([sleep(everyS * 1000), load.catch(() => undefined)]);
  }
  const r = await load;
  info.loadAvgAtEnd = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  info.tool = ctx.wrk.path ? 'wrk' : 'autocannon';
  const result = {
    machine: info,
    settings: { ...settings, soakS: totalS },
    soak: { target: picked.target.name, route: picked.candidate.label, load: r, samples },
  };
  const md = renderSoak(result);
  process.stdout.write(`\n${md}\n`);
  writeResults(result, md);
}

try {
  await main();
} catch (error) {
  log(error.stack ?? error.message);
  process.exitCode = 1;
} finally {
  await stopAll();
  if (ctx.redisOk) await cleanRedis(ctx);
  if (ctx.tmp) rmSync(ctx.tmp, { recursive: true, force: true });
}
