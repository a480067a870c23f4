import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, pingRedis, until } from './redis-server';

const run = promisify(execFile);

/** One redis-server of the cluster. */
export interface ClusterNode {
  readonly port: number;
  readonly child: ChildProcess;
}

/** What {@link RedisCluster.failOver} saw. */
export interface Failover {
  /** Port of the replica that took over the dead master's slots. */
  readonly promoted: number;
  /** Milliseconds from the SIGKILL until the promoted replica serves the slots (cluster ok). */
  readonly tookMs: number;
}

/**
 * A private Redis Cluster on loopback: `masters` masters with one replica each, started from
 * redis-server (cluster mode, node timeout 1 s so a failover takes seconds) and joined with
 * `redis-cli --cluster create`. Client and bus ports both come from freePort (a bus port of
 * port + 10000 could land in the ephemeral range). {@link start} returns once every replica has
 * finished its initial sync: a replica that never synced refuses to fail over ("Disconnected from
 * master for longer than allowed", `cluster-replica-validity-factor`), so a master killed before
 * that stays dead and its slots stay down.
 */
export class RedisCluster {
  private constructor(
    readonly nodes: ClusterNode[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'bff-redis-cluster-'));
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < masters * 2; i++) {
      const port = await freePort();
      let bus = await freePort();
      while (bus === port) bus = await freePort();
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--cluster-port',
          String(bus),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '1000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          // Redis 7 waits 5 s before a diskless initial sync (to batch replicas): start it at once.
          '--repl-diskless-sync-delay',
          '0',
        ],
        { stdio: 'ignore' },
      );
      const reap = () => child.kill('SIGKILL');
      process.once('exit', reap);
      child.once('exit', () => process.removeListener('exit', reap));
      nodes.push({ port, child });
    }
    const cluster = new RedisCluster(nodes, dir);
    for (const node of nodes) {
      await until(() => pingRedis(node.port), 10_000, `redis-server on ${node.port}`);
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    await cluster.waitHealthy();
    await cluster.waitReplicasSynced();
    return cluster;
  }

  /** The URL the BFFs take (`REDIS_URL`): every node as a seed. */
  get url(): string {
    return `redis+cluster://${this.alive()
      .map((n) => `127.0.0.1:${n.port}`)
      .join(',')}`;
  }

  /** `redis-cli -p <port> <args...>` on a node, its output trimmed. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 5_000 });
    return stdout.trim();
  }

  /** Ports of the masters, as a live node sees them. */
  async masterPorts(): Promise<number[]> {
    const lines = (await this.cli(this.alive()[0].port, 'cluster', 'nodes')).split('\n');
    return lines
      .filter((l) => {
        const flags = l.split(' ')[2].split(',');
        return flags.includes('master') && !flags.some((f) => f.startsWith('fail'));
      })
      .map((l) => Number(/:(\d+)@/.exec(l)![1]));
  }

  /** Every key matching `pattern`, per master port (SCAN on each). */
  async keysPerMaster(pattern: string): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    for (const port of await this.masterPorts()) {
      const text = await this.cli(port, '--scan', '--pattern', pattern);
      out.set(port, text === '' ? [] : text.split('\n'));
    }
    return out;
  }

  /** Waits until every live node reports `cluster_state:ok` and all 16384 slots are served. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await until(
      async () => {
        for (const node of this.alive()) {
          const info = await this.cli(node.port, 'cluster', 'info').catch(() => '');
          if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384')) {
            return false;
          }
        }
        return true;
      },
      timeoutMs,
      'redis cluster healthy',
    );
  }

  /** Waits until every live replica has a link up to its master and no sync in progress. */
  async waitReplicasSynced(timeoutMs = 30_000): Promise<void> {
    await until(
      async () => {
        for (const node of this.alive()) {
          const info = await this.cli(node.port, 'info', 'replication').catch(() => '');
          if (info.includes('role:master')) continue;
          if (
            !info.includes('master_link_status:up') ||
            info.includes('master_sync_in_progress:1')
          ) {
            return false;
          }
        }
        return true;
      },
      timeoutMs,
      'every replica synced with its master',
    );
  }

  /** Port of the replica of the master on `masterPort` (CLUSTER NODES of a live node). */
  async replicaOf(masterPort: number): Promise<number> {
    const lines = (await this.cli(this.alive()[0].port, 'cluster', 'nodes')).split('\n');
    const master = lines.find((l) => l.includes(`:${masterPort}@`));
    const replica = master && lines.find((l) => l.split(' ')[3] === master.split(' ')[0]);
    if (replica === undefined) throw new Error(`no replica of the master on ${masterPort}`);
    return Number(/:(\d+)@/.exec(replica)![1]);
  }

  /**
   * SIGKILLs the master on `port` once its replica is in sync, then waits until that replica is
   * master and the cluster serves every slot again. Throws after `timeoutMs` with the replica's
   * view (a replica that cannot fail over says why in its replication state).
   */
  async failOver(port: number, timeoutMs = 30_000): Promise<Failover> {
    await this.waitReplicasSynced();
    const replica = await this.replicaOf(port);
    await this.kill(port);
    const killedAt = Date.now();
    const promoted = async (): Promise<boolean> => {
      const role = await this.cli(replica, 'info', 'replication').catch(() => '');
      if (!role.includes('role:master')) return false;
      const masters = await this.masterPorts().catch((): number[] => []);
      return masters.includes(replica) && !masters.includes(port);
    };
    try {
      await until(promoted, timeoutMs, 'promotion');
      // The other nodes learn of the promotion over the bus: wait until they all serve the slots.
      await this.waitHealthy(Math.max(1_000, timeoutMs - (Date.now() - killedAt)));
    } catch (error) {
      const state = await this.cli(replica, 'info', 'replication').catch((e: Error) => e.message);
      const link = state
        .split('\n')
        .filter((l) => /^(role|master_link_status|master_link_down_since_seconds):/.test(l))
        .map((l) => l.trim())
        .join(' ');
      throw new Error(
        `replica ${replica} did not take over from master ${port} within ${timeoutMs} ms ` +
          `(${(error as Error).message}; replica: ${link})`,
        { cause: error },
      );
    }
    return { promoted: replica, tookMs: Date.now() - killedAt };
  }

  /** SIGKILLs the node on `port` (a master: its replica takes over after the node timeout). */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port)!;
    if (node.child.exitCode !== null || node.child.signalCode !== null) return;
    const exited = new Promise((r) => node.child.once('exit', r));
    node.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await this.kill(node.port);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private alive(): ClusterNode[] {
    return this.nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  }
}
