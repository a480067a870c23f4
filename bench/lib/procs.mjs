// Child processes of a benchmark run: start, wait until ready, read their memory and CPU, stop.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const CLK_TCK = 100;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a process and keeps the tail of its output for error messages. `readyLine` (a RegExp
 * with one group: the port) resolves `ready` when it appears on stdout.
 */
export function startProcess(name, command, args, { env = {}, cwd, readyLine } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  let exitCode;
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve(exitCode);
    }),
  );
  const ready = new Promise((resolve, reject) => {
    child.on('error', reject);
    if (readyLine === undefined) return resolve(undefined);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const m = readyLine.exec(out);
      if (m) resolve(Number(m[1]));
    });
    exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    name,
    child,
    pid: child.pid,
    ready,
    exited,
    get running() {
      return exitCode === undefined;
    },
    output: () => tail.trim(),
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers at all (any status), or throws after `timeoutMs`. */
export async function waitHttp(url, timeoutMs = 30_000, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('process exited');
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status;
    } catch (error) {
      last = error;
      await sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last?.message})`);
}

function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The process and all its descendants (nginx: master + workers). */
export function processTree(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childPids(out[i]));
  return out;
}

function statusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at index 2 of this split.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Memory and CPU of a process tree: peak RSS (VmHWM, since the process started), current RSS,
 * and user+system CPU time in ms.
 */
export function procStats(pid) {
  const pids = processTree(pid);
  let hwmKb = 0;
  let rssKb = 0;
  let cpuMs = 0;
  for (const p of pids) {
    hwmKb += statusKb(p, 'VmHWM');
    rssKb += statusKb(p, 'VmRSS');
    cpuMs += (cpuTicks(p) * 1000) / CLK_TCK;
  }
  return { peakRssMb: hwmKb / 1024, rssMb: rssKb / 1024, cpuMs };
}
