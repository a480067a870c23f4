import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BffAppName, BffConfig, ConfigValidationError, loadConfig } from '@app/config';
import { runPrimary } from './bff-cluster';
import { clusterWarnings } from './bff-cluster.warnings';
import { stopOnSignals } from './graceful-shutdown';

/**
 * Entry point of a BFF process: validated config (a bad variable stops start-up with its name),
 * app creation, listen on the configured port, graceful stop on SIGTERM. With `BFF_WORKERS` > 1
 * this process becomes the cluster primary and each worker runs the app.
 */
export async function runBff(
  name: BffAppName,
  create: (config: BffConfig) => Promise<NestFastifyApplication>,
): Promise<void> {
  // V8 decides at boot, when most objects live on, to allocate objects of some code sites straight
  // in the old generation, and never revisits it: request-scoped objects from those sites then
  // filled the old generation (about 6 MB per young collection under load, collections 5x
  // slower), peak RSS about 100 MB higher and CPU per request higher than without it
  // (measured 2026-12-01, README "Benchmarks"). Effective here, after the modules have loaded.
  setFlagsFromString('--no-allocation-site-pretenuring');
  let config: BffConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const ops = config.observability;
  if (ops.workers > 1 && cluster.isPrimary) {
    runPrimary(name, {
      workers: ops.workers,
      shutdownDelayMs: ops.shutdownDelayMs,
      shutdownTimeoutMs: ops.shutdownTimeoutMs,
      logLevel: config.logLevel,
      warnings: clusterWarnings(config),
    });
    return;
  }
  let app: NestFastifyApplication;
  try {
    app = await create(config);
  } catch (error) {
    // A bad route table (or other boot-time configuration) stops start-up with a clear message.
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await app.listen(config.apps[name].port, config.host);
  new Logger(name).log(`listening on ${await app.getUrl()}`);
  stopOnSignals(app, name, { delayMs: ops.shutdownDelayMs, timeoutMs: ops.shutdownTimeoutMs });
}
