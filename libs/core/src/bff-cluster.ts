import cluster, { type Worker } from 'node:cluster';
import type { LogLevel } from '@app/config';
import pino from 'pino';
import { AggregatorRegistry } from 'prom-client';

/** IPC messages a worker exchanges with the primary to serve whole-app metrics. */
export const METRICS_REQUEST = 'bff:metrics-request';
export const METRICS_RESPONSE = 'bff:metrics-response';

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

/** A worker that dies this soon after its start counts towards a crash loop. */
const EARLY_DEATH_MS = 5_000;
const MAX_EARLY_DEATHS = 5;

export interface PrimaryOptions {
  workers: number;
  /** Workers keep their listener open this long after SIGTERM (`SHUTDOWN_DELAY_MS`). */
  shutdownDelayMs: number;
  /** Then they have this long to finish (`SHUTDOWN_TIMEOUT_MS`) before they are killed. */
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** Logged once at start as warnings (e.g. state that is not shared between workers). */
  warnings?: readonly string[];
}

/**
 * The primary of a multi-worker BFF: forks the workers (they share the listening port through
 * node:cluster), replaces a worker that crashes, relays `/metrics` (each worker asks the primary,
 * which aggregates every worker's registry) and forwards SIGTERM/SIGINT for a graceful stop.
 * Exits 0 once every worker has drained and exited 0.
 */
export function runPrimary(name: string, options: PrimaryOptions): void {
  // JSON lines like the workers' (there is no Nest app in the primary).
  const logger = pino({
    level: options.logLevel,
    base: { app: name, role: 'primary', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
  const aggregator = new AggregatorRegistry();
  const startedAt = new Map<Worker, number>();
  let earlyDeaths = 0;
  let stopping = false;
  let failed = false;

  const fork = (): void => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if ((message as MetricsRequest | null)?.type !== METRICS_REQUEST) return;
      const { id } = message as MetricsRequest;
      aggregator.clusterMetrics().then(
        (text) => worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id, text }),
        (error: Error) =>
          worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id, error: error.message }),
      );
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failed = true;
      if (startedAt.size === 0) process.exit(failed ? 1 : 0);
      return;
    }
    earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
    if (earlyDeaths >= MAX_EARLY_DEATHS) {
      logger.error(`workers keep dying at start (last: ${signal ?? code}); giving up`);
      stopAll('SIGTERM');
      failed = true;
      return;
    }
    logger.warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting a new one`);
    fork();
  });

  const stopAll = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping ${startedAt.size} workers`);
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    // Workers enforce their own deadline; this one only catches a worker that cannot even exit.
    setTimeout(
      () => {
        logger.error('workers did not exit in time; killing them');
        for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
        process.exit(1);
      },
      options.shutdownDelayMs + options.shutdownTimeoutMs + 2_000,
    ).unref();
  };
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));

  for (const warning of options.warnings ?? []) logger.warn(warning);
  for (let i = 0; i < options.workers; i++) fork();
  logger.info(`started ${options.workers} workers`);
}
