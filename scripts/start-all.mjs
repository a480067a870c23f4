// `npm start`: the sandbox and the three BFFs, each in its own process, on embedded defaults
// (in-memory stores, sandbox downstreams). Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { BFF_NODE_FLAGS } from './node-flags.mjs';

const processes = [
  { name: 'sandbox', entry: 'dist/apps/sandbox/apps/sandbox/src/main.js' },
  { name: 'web-bff', entry: 'dist/apps/web-bff/apps/web-bff/src/main.js' },
  { name: 'mobile-bff', entry: 'dist/apps/mobile-bff/apps/mobile-bff/src/main.js' },
  { name: 'admin-bff', entry: 'dist/apps/admin-bff/apps/admin-bff/src/main.js' },
];

const children = new Map();
let stopping = false;

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  const wait = setInterval(() => {
    if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
      clearInterval(wait);
      process.exit(code);
    }
  }, 50);
}

for (const { name, entry } of processes) {
  const child = spawn(process.execPath, ['--enable-source-maps', ...BFF_NODE_FLAGS, entry], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (line) => `[${name}] ${line}\n`;
  const pipe = (stream, out) => {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) out.write(prefix(line));
    });
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(prefix(`exited (${signal ?? code}); stopping everything`));
      stopAll(code || 1);
    }
  });
  children.set(name, child);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
