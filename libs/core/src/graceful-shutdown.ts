import type { Server } from 'node:http';
import { type INestApplication, Logger } from '@nestjs/common';
import { BffLifecycle } from './bff-lifecycle';

/** How idle keep-alive sockets are swept while in-flight requests finish (shutdown only). */
const IDLE_SWEEP_MS = 100;

/**
 * Drains then closes an app:
 * 1. draining: readiness answers 503 and every response carries `Connection: close`, while the
 *    listener stays open for `delayMs`: probes and balancers see the 503, keep-alive clients are
 *    told to reconnect (elsewhere), and requests still routed here are served;
 * 2. after `delayMs` the listener closes: new connections are refused, idle keep-alive sockets
 *    are dropped;
 * 3. in-flight requests finish (the returned promise waits for the last socket);
 * 4. Nest's shutdown hooks run: downstream pools, Redis clients, span and log flushes.
 * The caller owns the hard deadline (see runBff).
 */
export async function drainAndClose(app: INestApplication, delayMs: number): Promise<void> {
  app.get(BffLifecycle).startDraining();
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve) => {
    // A socket whose last response went out before draining began has no `Connection: close`
    // and would linger until its keep-alive timeout: sweep until the last one is gone.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
  await app.close();
}

export interface SignalShutdownOptions {
  /** `SHUTDOWN_DELAY_MS`: how long the drain is visible (listener open, readiness 503). */
  delayMs: number;
  /**
   * `SHUTDOWN_TIMEOUT_MS`, counted from the end of the delay: past it, remaining sockets are
   * destroyed and the process exits 1. The whole stop takes at most `delayMs + timeoutMs`.
   */
  timeoutMs: number;
}

/**
 * SIGTERM/SIGINT stop the process gracefully (see {@link drainAndClose}) and exit 0; a second
 * signal does not restart the sequence. Replaces Nest's enableShutdownHooks, which re-raises the
 * signal and so never exits 0.
 */
export function stopOnSignals(
  app: INestApplication,
  name: string,
  options: SignalShutdownOptions,
): void {
  const logger = new Logger(name);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.log(
      `${signal}: draining (delay ${options.delayMs} ms, then deadline ${options.timeoutMs} ms)`,
    );
    app.get(BffLifecycle).startDraining();
    const close = async (): Promise<void> => {
      if (options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      setTimeout(() => {
        logger.error(`shutdown deadline of ${options.timeoutMs} ms exceeded; cutting hung work`);
        (app.getHttpServer() as Server).closeAllConnections();
        process.exit(1);
      }, options.timeoutMs).unref();
      await drainAndClose(app, 0);
    };
    close().then(
      () => {
        logger.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
