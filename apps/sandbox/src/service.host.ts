import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { FaultRegistry } from './faults';
import type { SandboxServiceName } from './sandbox.types';

/** `http://host:port`, with IPv6 brackets and wildcard binds mapped to loopback. */
export function urlFor(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * Owns the listening socket of one service app. The sandbox calls `server.listen()` itself
 * instead of `app.listen()`, so an outage can stop and restart listening on the same port
 * while the Fastify app (routes, hooks) stays alive.
 */
export class ServiceHost {
  private listening = false;
  private closing = false;
  private boundPort: number;
  private running: Promise<void> = Promise.resolve();
  private busy = false;
  private dirty = false;

  constructor(
    readonly service: SandboxServiceName,
    readonly app: FastifyInstance,
    private readonly host: string,
    port: number,
    private readonly faults: FaultRegistry,
  ) {
    this.boundPort = port;
  }

  get url(): string {
    return urlFor(this.host, this.boundPort);
  }

  async start(): Promise<void> {
    await this.app.ready();
    await this.listen(this.boundPort);
    this.listening = true;
    // Port 0 picked an ephemeral port: keep it, an outage must resume on the same one.
    this.boundPort = (this.app.server.address() as AddressInfo).port;
    await this.sync();
  }

  /**
   * Brings the listener in line with the outage setting. Stopping happens synchronously within
   * this call (new connections are refused at once); transitions are serialised.
   */
  sync(): Promise<void> {
    if (this.busy) {
      this.dirty = true;
      return this.running;
    }
    this.running = this.reconcile();
    return this.running;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.sync().catch(() => undefined);
    await this.app.close();
  }

  private async reconcile(): Promise<void> {
    this.busy = true;
    try {
      do {
        this.dirty = false;
        const wanted = !this.closing && !this.faults.get(this.service).outage;
        if (wanted && !this.listening) {
          await this.listen(this.boundPort);
          this.listening = true;
        } else if (!wanted && this.listening) {
          this.listening = false;
          await this.stopListening();
        }
      } while (this.dirty);
    } finally {
      this.busy = false;
    }
  }

  private listen(port: number): Promise<void> {
    const server = this.app.server;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        server.removeListener('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        server.removeListener('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ port, host: this.host });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.app.server;
    return new Promise((resolve) => {
      // close() stops accepting right away; closeAllConnections() drops keep-alive and in-flight sockets.
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
