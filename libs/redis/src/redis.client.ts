import { Logger } from '@nestjs/common';
import IORedis, { Cluster, type RedisOptions } from 'ioredis';
import { Gauge, register } from 'prom-client';
import { REDIS_FAILURE_POLICIES, type RedisUse } from './redis.uses';

/**
 * A client of the shared Redis: one node (`IORedis`) or a Redis Cluster (`Cluster`, which follows
 * MOVED/ASK redirections and fails over to promoted replicas by itself). Both take the same
 * commands; a command's keys must hash to one slot (hash tags, see {@link hashTag}).
 */
export type Redis = IORedis | Cluster;

/** Scheme of a cluster URL, as the config lib writes it (`REDIS_CLUSTER_NODES` or `REDIS_URL`). */
const CLUSTER_SCHEME = 'redis+cluster://';

/** Options of {@link createRedisClient}. */
export interface RedisClientOptions {
  /** `redis://`, `rediss://` or `redis+cluster://host:port,host:port` URL (`REDIS_URL`). */
  url: string;
  /** What the client is for: its connection name (`CLIENT LIST` shows `bff:<use>`) and log lines. */
  use: RedisUse;
  /**
   * Longest wait for one command; past it the command fails and the use's failure policy applies.
   * A frozen Redis (no answer, connection still open) therefore costs a request at most this long.
   */
  commandTimeoutMs: number;
  /** Longest wait for the TCP connection; default the larger of 1 s and `commandTimeoutMs`. */
  connectTimeoutMs?: number;
  /**
   * A pub/sub connection: no command timeout (it only subscribes, off any request path). Subscribe
   * with {@link subscribeOnReady}, which also subscribes again after every reconnect.
   */
  subscriber?: boolean;
  /**
   * Log the loss of the connection (once per outage, with the use's failure policy) and its
   * return. Default true; uses that log their own outages turn it off.
   */
  logOutages?: boolean;
  /** Where those lines go; default Nest's `Logger` with context `Redis`. */
  logger?: Pick<Logger, 'warn' | 'log'>;
}

/**
 * `bff_redis_up{use}`: 1 while the client of a use is connected, 0 from its first failure until it
 * is back (the "Redis unavailable" alert in deploy/prometheus). Per process, like every metric.
 */
function redisUpGauge(): Gauge<'use'> {
  return (
    (register.getSingleMetric('bff_redis_up') as Gauge<'use'> | undefined) ??
    new Gauge({
      name: 'bff_redis_up',
      help: 'Whether the Redis client of a use is connected (1) or not (0)',
      labelNames: ['use'],
    })
  );
}

/** Reconnect delays: 100 ms, 200 ms... then every second, forever (sharing resumes by itself). */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(attempt * 100, 1_000);
}

/**
 * The one way this project creates a Redis client. Whatever the use, the client:
 * - never queues a command while disconnected (`enableOfflineQueue: false`): it fails at once;
 * - fails a command that gets no answer within `commandTimeoutMs` (a frozen Redis);
 * - never retries a command (`maxRetriesPerRequest: 0`) nor re-sends one after a reconnect;
 * - reconnects in the background forever, so nothing needs a restart once Redis is back;
 * - never subscribes by itself (`autoResubscribe: false`): ioredis' own re-subscription leaves an
 *   unhandled rejection when the client is closed during it, so {@link subscribeOnReady} does it;
 * - has an `error` listener (an unhandled `error` event would crash the process).
 * The caller applies its use's failure policy (see {@link REDIS_FAILURE_POLICIES}) to failed
 * commands and closes the client it created with {@link closeRedisClient}.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const perConnection: RedisOptions = {
    connectionName: `bff:${options.use}`,
    lazyConnect: false,
    enableOfflineQueue: false,
    commandTimeout: options.subscriber === true ? undefined : options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? Math.max(1_000, options.commandTimeoutMs),
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelayMs,
  };
  const client: Redis = options.url.startsWith(CLUSTER_SCHEME)
    ? createCluster(options.url, perConnection)
    : new IORedis(options.url, perConnection);
  const logger = options.logger ?? new Logger('Redis');
  const { policy, effect } = REDIS_FAILURE_POLICIES[options.use];
  const up = redisUpGauge().labels(options.use);
  up.set(0);
  let down = false;
  client.on('error', (error: Error) => {
    up.set(0);
    if (down) return;
    down = true;
    if (options.logOutages === false) return;
    logger.warn(
      `Redis client "${options.use}" unavailable (${error.message}): ${policy}, ${effect}`,
    );
  });
  client.on('ready', () => {
    up.set(1);
    if (!down) return;
    down = false;
    if (options.logOutages !== false) logger.log(`Redis client "${options.use}" connected again`);
  });
  return client;
}

/**
 * A Redis Cluster client with the same per-node settings as a single-node client. The cluster adds
 * only what a cluster needs: it follows MOVED/ASK (a slot that moved, a resharding) and, after a
 * CLUSTERDOWN or a closed connection, refreshes its slots and re-sends the command, always within
 * the command timeout (at most `maxRedirections` times). While a failed master's replica is
 * promoted its commands therefore fail after the command timeout like any command on a dead node
 * (no offline queue), so each use's failure policy applies the same way.
 */
function createCluster(url: string, perConnection: RedisOptions): Cluster {
  const rest = url.slice(CLUSTER_SCHEME.length);
  const at = rest.lastIndexOf('@');
  const [username, password] = at < 0 ? [] : rest.slice(0, at).split(':').map(decodeURIComponent);
  const nodes = rest
    .slice(at + 1)
    .split(',')
    .map((node) => {
      const colon = node.lastIndexOf(':');
      return {
        host: node.slice(0, colon).replace(/^\[|\]$/g, ''),
        port: Number(node.slice(colon + 1)),
      };
    });
  // The cluster owns reconnects and the offline queue; the rest applies to every node connection.
  // Node connections stay lazy (ioredis' own default for them): a connection made on a MOVED to a
  // node the client did not know (a promoted replica) is then in `wait`, and the command waits in
  // it until it connects, within the command timeout. An eager one is `connecting`, which the
  // cluster (no offline queue) refuses with "Connection is closed." and retries every 100 ms
  // until the command timeout: under load the first commands for the promoted replica's slots
  // timed out after a failover (limits per instance for a while), while the slots were fine.
  const {
    retryStrategy: _retry,
    enableOfflineQueue: _queue,
    lazyConnect: _lazy,
    ...nodeOptions
  } = perConnection;
  return new Cluster(nodes, {
    redisOptions: {
      ...nodeOptions,
      username: username || undefined,
      password: password || undefined,
    },
    enableOfflineQueue: false,
    enableReadyCheck: true,
    scaleReads: 'master',
    maxRedirections: 16,
    retryDelayOnMoved: 0,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: perConnection.connectTimeout,
    clusterRetryStrategy: reconnectDelayMs,
  });
}

/** True for a Redis Cluster client. */
export function isCluster(client: Redis): client is Cluster {
  return client instanceof Cluster;
}

/**
 * `{name}`: a key part that puts every key carrying it in one cluster slot, so a Lua script or a
 * MULTI over those keys works on a cluster (keys without it may live on different nodes).
 */
export function hashTag(name: string): string {
  return `{${name}}`;
}

/**
 * UNLINK of keys that may live in different slots: one command on a single node, one per key on
 * a cluster (a multi-key command across slots fails with CROSSSLOT). Returns how many existed.
 */
export async function unlinkKeys(client: Redis, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!isCluster(client)) return client.unlink(...keys);
  const counts = await Promise.all(keys.map((key) => client.unlink(key)));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * The nodes a SCAN must visit to see every key: the client itself, or every master of a cluster
 * (a SCAN on a cluster client sees one node's keys only).
 */
export function scanTargets(client: Redis): IORedis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/**
 * Subscribes `client` (made with `subscriber: true`) to `channels` now if it is connected, and
 * again on every reconnect. A failed subscription is reported to `onError`, never left unhandled.
 */
export function subscribeOnReady(
  client: Redis,
  channels: readonly string[],
  onError: (error: Error) => void = () => undefined,
): void {
  const subscribe = (): void => {
    client.subscribe(...channels).catch((error: unknown) => {
      if (client.status === 'end') return; // closed meanwhile: nothing to report
      onError(error instanceof Error ? error : new Error(String(error)));
    });
  };
  client.on('ready', subscribe);
  if (client.status === 'ready') subscribe();
}

/**
 * Resolves once `client` is connected; rejects after `timeoutMs` or when the client is closed.
 * For one-off tools (the API key CLI): request paths never wait for a connection.
 */
export function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = (): void => done();
    const onEnd = (): void => done(new Error('Redis connection closed'));
    const timer = setTimeout(
      () => done(new Error(`Redis not reachable within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/**
 * Closes a client at once, without waiting on Redis (a frozen one would hold the shutdown).
 * Commands still pending fail with "Connection is closed." to their callers, which handle them.
 */
export function closeRedisClient(client: { readonly status: string; disconnect(): void }): void {
  if (client.status !== 'end') client.disconnect();
}
