import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port';

export { freePort };

/** True when a Redis on `port` answers PING within 200 ms (a frozen one does not). */
export function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(200);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Polls `check` every 50 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A private, throw-away redis-server child process on its own port (the machine's Redis is
 * shared with other engineers and must never be killed or frozen). It can be killed and started
 * again on the same port, or frozen (SIGSTOP: connections stay open, nothing is answered) and
 * thawed (SIGCONT).
 */
export class RedisProcess {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  static async start(): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    // If jest dies before afterAll, do not leave an orphan (or a stopped) redis-server behind.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    await until(() => pingRedis(this.port), 5_000, `redis-server on ${this.port}`);
  }

  /** SIGSTOP: the server keeps its connections and answers nothing until {@link thaw}. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT: the server answers again, starting with what it received while frozen. */
  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL'); // also ends a stopped process
    await exited;
    this.child = undefined;
  }
}
