// System tools of the benchmark (wrk, nginx): found on PATH, else installed with apt-get when that
// works (Debian packages `wrk`, `nginx-light`), else reported missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], {
    env: { ...process.env, PATH: `${process.env.PATH}:${SBIN.join(':')}` },
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

let aptUpdated = false;

/** Path of `bin`, installing Debian package `pkg` if needed and allowed; `{ path }` or `{ reason }`. */
export function ensureTool(bin, pkg, { install = true, log = console.error } = {}) {
  const found = which(bin);
  if (found) return { path: found };
  if (!install) return { reason: `${bin} not installed (--no-install)` };
  if (!which('apt-get')) return { reason: `${bin} not installed and apt-get is not available` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { reason: `${bin} not installed (apt-get needs root: apt-get install ${pkg})` };
  }
  log(`installing ${pkg} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (!aptUpdated) {
      execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 180_000 });
      aptUpdated = true;
    }
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
      env,
      stdio: 'ignore',
      timeout: 300_000,
    });
  } catch (error) {
    return { reason: `${bin} not installed and apt-get install ${pkg} failed (${error.message})` };
  }
  const path = which(bin);
  return path ? { path } : { reason: `${bin} still missing after apt-get install ${pkg}` };
}

/**
 * nginx as a reverse proxy with keep-alive to the upstream: one worker process (like the
 * single-process Node gateways it is compared with), no access log. Returns [args, configPath].
 */
export function nginxConfig(dir, { port, upstreamPort }) {
  const root = join(dir, 'nginx');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const tmp = join(root, 'tmp');
  const conf = `
worker_processes 1;
daemon off;
master_process on;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${join(root, 'nginx.pid')};
error_log ${join(root, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  keepalive_requests 1000000;
  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  const path = join(root, 'nginx.conf');
  writeFileSync(path, conf);
  return ['-p', root, '-c', path];
}
