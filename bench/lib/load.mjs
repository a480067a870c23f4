// Load generators: wrk (closed loop, saturation), autocannon as its fallback, and the open-loop
// generator (fixed rate). Every one returns { requests, rps, p50, p99, non2xx, errors } (ms).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

// wrk's `done` hook prints exact figures (latency in microseconds) as one JSON line.
const WRK_REPORT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

export function writeWrkScript(dir) {
  const path = join(dir, 'report.lua');
  writeFileSync(path, WRK_REPORT);
  return path;
}

/** wrk: fixed connections and threads for `durationS`. */
export async function runWrk({ wrk, script, url, headers, durationS, connections, threads }) {
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${durationS}s`];
  args.push('--timeout', '10s', '-s', script);
  for (const [k, v] of Object.entries(headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(url);
  const { stdout } = await run(wrk, args, { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no report:\n${stdout}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length));
  return {
    requests: r.requests,
    rps: r.requests / (r.durationUs / 1e6),
    p50: r.p50 / 1000,
    p99: r.p99 / 1000,
    non2xx: r.status,
    errors: r.connect + r.read + r.write + r.timeout,
  };
}

/** autocannon (closed loop), used when wrk is not available. */
export async function runAutocannon({ url, headers, durationS, connections }) {
  const bin = require.resolve('autocannon/autocannon.js');
  const args = [bin, '-j', '-c', String(connections), '-d', String(durationS)];
  for (const [k, v] of Object.entries(headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(url);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 << 20 });
  const r = JSON.parse(stdout);
  return {
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** Fixed request rate, open loop (see open-loop.mjs). */
export async function runOpenLoop({ url, headers, durationS, rate }) {
  const script = new URL('./open-loop.mjs', import.meta.url).pathname;
  const options = JSON.stringify({ url, headers, durationS, rate, connections: 256 });
  const { stdout } = await run(process.execPath, [script, options], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  return {
    requests: r.completed,
    rps: r.achievedRps,
    p50: r.p50,
    p99: r.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    generatorLagMaxMs: r.generatorLagMaxMs,
  };
}
