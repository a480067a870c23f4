import type { EnvReader } from './env-reader';

/**
 * The shared Redis (`REDIS_URL`) and what every client of it gets from the one client factory
 * (`@app/redis`): a command timeout, no offline queue, background reconnects.
 */
export interface RedisConfig {
  /** `REDIS_URL`: undefined = no Redis, every store stays in memory. */
  readonly url: string | undefined;
  /**
   * `REDIS_COMMAND_TIMEOUT_MS`: longest wait for one Redis command of sessions, API keys and the
   * audit stream; past it the command fails and the use's failure policy applies. Rate limits
   * (`RATE_LIMIT_REDIS_TIMEOUT_MS`) and the cache (`CACHE_REDIS_TIMEOUT_MS`) have their own.
   */
  readonly commandTimeoutMs: number;
}

/** Scheme of a Redis Cluster URL: `redis+cluster://host:port,host:port` (seed nodes). */
export const REDIS_CLUSTER_SCHEME = 'redis+cluster:';

const NODE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

function clusterUrl(r: EnvReader, name: string, nodes: string, auth = ''): string | undefined {
  const list = nodes
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const bad = list.filter((n) => !NODE.test(n) || Number(n.slice(n.lastIndexOf(':') + 1)) > 65_535);
  if (list.length === 0 || bad.length > 0) {
    r.problems.push(
      `${name} must list Redis Cluster seed nodes as host:port,host:port (got "${bad[0] ?? nodes}")`,
    );
    return undefined;
  }
  return `${REDIS_CLUSTER_SCHEME}//${auth}${list.join(',')}`;
}

/**
 * The shared Redis, as one URL every client factory call takes: `REDIS_URL` (`redis://`,
 * `rediss://`, or `redis+cluster://[user:password@]host:port,host:port` for a Redis Cluster), or
 * `REDIS_CLUSTER_NODES` (`host:port,host:port`), which means the cluster URL of those nodes.
 */
export function readRedisUrl(r: EnvReader): string | undefined {
  const nodes = r.raw('REDIS_CLUSTER_NODES');
  const raw = r.raw('REDIS_URL');
  if (nodes !== undefined) {
    if (raw !== undefined) {
      r.problems.push('REDIS_URL and REDIS_CLUSTER_NODES are exclusive: set one of them');
      return undefined;
    }
    return clusterUrl(r, 'REDIS_CLUSTER_NODES', nodes);
  }
  if (raw?.startsWith(`${REDIS_CLUSTER_SCHEME}//`)) {
    const rest = raw.slice(REDIS_CLUSTER_SCHEME.length + 2);
    const at = rest.lastIndexOf('@');
    return clusterUrl(r, 'REDIS_URL', rest.slice(at + 1), rest.slice(0, at + 1));
  }
  return r.urls('REDIS_URL', [], ['redis:', 'rediss:'])[0];
}

/** Reads the Redis section; `url` is the already validated {@link readRedisUrl}. */
export function readRedisConfig(r: EnvReader, url: string | undefined): RedisConfig {
  return {
    url,
    commandTimeoutMs: r.int('REDIS_COMMAND_TIMEOUT_MS', 250, 5, 60_000),
  };
}
