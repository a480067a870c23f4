import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { Cluster } from 'ioredis';
import {
  closeRedisClient,
  createRedisClient,
  hashTag,
  isCluster,
  subscribeOnReady,
  whenReady,
} from './redis.client';
import { redisUsesOf } from './redis.uses';
import { loadConfig } from '@app/config';
import { register } from 'prom-client';

/**
 * A tiny RESP2 server: enough of Redis for a client to connect, GET, PING and SUBSCRIBE. It can
 * freeze (keep connections open and answer nothing, like a SIGSTOPped Redis), drop every
 * connection, or leave SUBSCRIBE unanswered.
 */
class FakeRedis {
  answerSubscribe = true;
  private frozen = false;
  private held: { socket: Socket; reply: string }[] = [];
  readonly sockets = new Set<Socket>();
  readonly commands: string[] = [];
  private server: Server | undefined;

  async start(port = 0): Promise<string> {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        for (;;) {
          const parsed = parseCommand(buffer);
          if (parsed === undefined) break;
          buffer = buffer.slice(parsed.length);
          this.commands.push(parsed.args[0].toLowerCase());
          const reply = this.reply(parsed.args);
          if (this.frozen) this.held.push({ socket, reply });
          else socket.write(reply);
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `redis://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Like SIGSTOP: connections stay open, commands are read, nothing is answered. */
  freeze(): void {
    this.frozen = true;
  }

  /** Like SIGCONT: the held answers go out, in order. */
  thaw(): void {
    this.frozen = false;
    for (const { socket, reply } of this.held.splice(0)) socket.write(reply);
  }

  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private reply(args: string[]): string {
    const name = args[0].toLowerCase();
    if (name === 'hello') return "-ERR unknown command 'HELLO'\r\n";
    if (name === 'info') return bulk('loading:0\r\n');
    if (name === 'ping') return '+PONG\r\n';
    if (name === 'get') return '$-1\r\n';
    if (name === 'subscribe') {
      if (!this.answerSubscribe) return '';
      return args
        .slice(1)
        .map((ch, i) => `*3\r\n${bulk('subscribe')}${bulk(ch)}:${i + 1}\r\n`)
        .join('');
    }
    return '+OK\r\n';
  }
}

const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

function parseCommand(buffer: string): { args: string[]; length: number } | undefined {
  const head = /^\*(\d+)\r\n/.exec(buffer);
  if (head === null) return undefined;
  let offset = head[0].length;
  const args: string[] = [];
  for (let i = 0; i < Number(head[1]); i++) {
    const len = /^\$(\d+)\r\n/.exec(buffer.slice(offset));
    if (len === null) return undefined;
    offset += len[0].length;
    if (buffer.length < offset + Number(len[1]) + 2) return undefined;
    args.push(buffer.slice(offset, offset + Number(len[1])));
    offset += Number(len[1]) + 2;
  }
  return { args, length: offset };
}

const quiet = { warn: () => undefined, log: () => undefined };

async function elapsed<T>(fn: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await fn();
    return { ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

describe('createRedisClient', () => {
  let fake: FakeRedis;
  let url: string;

  beforeEach(async () => {
    fake = new FakeRedis();
    url = await fake.start();
  });

  afterEach(() => fake.stop());

  it('fails a command a frozen Redis never answers after the command timeout, and recovers', async () => {
    const client = createRedisClient({ url, use: 'sessions', commandTimeoutMs: 80, logger: quiet });
    try {
      await whenReady(client, 2_000);
      expect(await client.get('k')).toBeNull();
      fake.freeze();
      const frozen = await elapsed(() => client.get('k'));
      expect(frozen.error).toBeInstanceOf(Error);
      expect((frozen.error as Error).message).toMatch(/timed out/i);
      expect(frozen.ms).toBeGreaterThanOrEqual(70);
      expect(frozen.ms).toBeLessThan(1_000);
      fake.thaw();
      // The connection was never lost: the next command goes through on it.
      expect(await client.ping()).toBe('PONG');
    } finally {
      closeRedisClient(client);
    }
  });

  it('never queues a command while disconnected: it fails at once', async () => {
    const client = createRedisClient({
      url,
      use: 'api-keys',
      commandTimeoutMs: 5_000,
      logger: quiet,
    });
    try {
      await whenReady(client, 2_000);
      await fake.stop();
      await new Promise((r) => setTimeout(r, 50));
      const down = await elapsed(() => client.get('k'));
      expect((down.error as Error).message).toMatch(/enableOfflineQueue|closed|writeable/i);
      expect(down.ms).toBeLessThan(200);
    } finally {
      closeRedisClient(client);
    }
  });

  it('reconnects by itself and logs the outage once, with the use’s failure policy', async () => {
    const lines: string[] = [];
    const logger = {
      warn: (l: string) => lines.push(`warn ${l}`),
      log: (l: string) => lines.push(l),
    };
    const client = createRedisClient({ url, use: 'sessions', commandTimeoutMs: 200, logger });
    try {
      await whenReady(client, 2_000);
      await fake.stop();
      // Several refused reconnects: still one line. Waits for the first refusal (a fixed 400 ms
      // could pass before any reconnect on a loaded machine, and the outage went unseen).
      for (let t = 0; t < 100 && lines.length === 0; t++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300));
      await fake.start(Number(new URL(url).port));
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      expect(await client.ping()).toBe('PONG');
      expect(lines).toEqual([
        expect.stringMatching(/^warn Redis client "sessions" unavailable .*: fail-closed, cookie/),
        'Redis client "sessions" connected again',
      ]);
    } finally {
      closeRedisClient(client);
    }
  });

  it('exports bff_redis_up{use}: 0 until connected, 0 while down, 1 once back', async () => {
    const up = async (): Promise<number | undefined> =>
      (await register.getSingleMetric('bff_redis_up')?.get())?.values.find(
        (v) => v.labels.use === 'audit-stream',
      )?.value;
    const client = createRedisClient({
      url,
      use: 'audit-stream',
      commandTimeoutMs: 200,
      logger: quiet,
    });
    try {
      expect(await up()).toBe(0);
      await whenReady(client, 2_000);
      expect(await up()).toBe(1);
      await fake.stop();
      for (let t = 0; t < 100 && (await up()) !== 0; t++)
        await new Promise((r) => setTimeout(r, 50));
      expect(await up()).toBe(0);
      await fake.start(Number(new URL(url).port));
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      expect(await up()).toBe(1);
    } finally {
      closeRedisClient(client);
    }
  });

  it('subscribes again after a reconnect, and closing during a subscription rejects nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const sub = createRedisClient({
      url,
      use: 'cache-purge',
      commandTimeoutMs: 100,
      subscriber: true,
      logger: quiet,
    });
    try {
      const errors: Error[] = [];
      subscribeOnReady(sub, ['chan'], (e) => errors.push(e));
      await whenReady(sub, 2_000);
      await new Promise((r) => setTimeout(r, 20));
      fake.answerSubscribe = false;
      fake.dropConnections();
      await new Promise<void>((resolve) => sub.once('ready', () => resolve()));
      await new Promise((r) => setTimeout(r, 20));
      expect(fake.commands.filter((c) => c === 'subscribe')).toHaveLength(2);
      // The second SUBSCRIBE is still unanswered: close now, as an app shutting down would.
      closeRedisClient(sub);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      closeRedisClient(sub);
    }
  });
});

describe('createRedisClient with a Redis Cluster URL', () => {
  it('makes an ioredis Cluster from the seed nodes, with the single-node settings per node', () => {
    const client = createRedisClient({
      url: 'redis+cluster://bff:p%40ss@127.0.0.1:1,[::1]:2',
      use: 'cache',
      commandTimeoutMs: 50,
      logOutages: false,
    });
    try {
      expect(isCluster(client)).toBe(true);
      const cluster = client as Cluster;
      // Private in ioredis' types: read for the test only.
      expect((cluster as unknown as { startupNodes: unknown }).startupNodes).toEqual([
        { host: '127.0.0.1', port: 1 },
        { host: '::1', port: 2 },
      ]);
      expect(cluster.options.enableOfflineQueue).toBe(false);
      expect(cluster.options.redisOptions).toMatchObject({
        username: 'bff',
        password: 'p@ss',
        connectionName: 'bff:cache',
        commandTimeout: 50,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
      });
      // Lazy node connections: a command for a node found by MOVED waits for its connection.
      expect(cluster.options.redisOptions).not.toHaveProperty('lazyConnect');
      expect(cluster.options.redisOptions).not.toHaveProperty('enableOfflineQueue');
    } finally {
      closeRedisClient(client);
    }
  });

  it('keeps a single node for redis:// URLs, and hash tags name one slot', () => {
    const client = createRedisClient({
      url: 'redis://127.0.0.1:1',
      use: 'cache',
      commandTimeoutMs: 50,
      logOutages: false,
    });
    try {
      expect(isCluster(client)).toBe(false);
    } finally {
      closeRedisClient(client);
    }
    expect(hashTag('bff:revocations')).toBe('{bff:revocations}');
  });
});

describe('redisUsesOf', () => {
  const env = { REDIS_URL: 'redis://127.0.0.1:6379' };

  it('has no use without Redis', () => {
    expect(redisUsesOf(loadConfig({}), 'web-bff')).toEqual([]);
  });

  it('lists each app’s uses with their failure policy', () => {
    const web = redisUsesOf(loadConfig(env), 'web-bff');
    expect(web).toEqual([
      { use: 'rate-limits', policy: 'fail-open' },
      { use: 'cache', policy: 'fail-open' },
      { use: 'cache-purge', policy: 'fail-open' },
      { use: 'sessions', policy: 'fail-closed' },
      { use: 'api-keys', policy: 'fail-closed' },
      { use: 'api-key-revocations', policy: 'fail-open' },
      { use: 'revocations', policy: 'fail-open' },
      { use: 'revocation-events', policy: 'fail-open' },
      { use: 'events', policy: 'fail-open' },
      { use: 'persisted-queries', policy: 'fail-open' },
    ]);
    const admin = redisUsesOf(loadConfig({ ...env, AUDIT_REDIS_STREAM: 'audit' }), 'admin-bff');
    expect(admin.map((u) => u.use)).toContain('audit-stream');
    expect(admin.map((u) => u.use)).not.toContain('sessions');
  });

  it('follows the configuration: memory stores drop uses, closed rate limits fail closed', () => {
    const config = loadConfig({
      ...env,
      SESSION_STORE: 'memory',
      AUTH_API_KEYS_STORE: 'file',
      AUTH_REVOCATION_STORE: 'memory',
      RATE_LIMIT_REDIS_FAILURE_MODE: 'closed',
      CACHE_REDIS: 'false',
      EVENTS_REDIS: 'false',
      GRAPHQL_PERSISTED_QUERIES_REDIS: 'false',
    });
    expect(redisUsesOf(config, 'web-bff')).toEqual([{ use: 'rate-limits', policy: 'fail-closed' }]);
  });
});
