import 'reflect-metadata';
import { BffConfig, ConfigValidationError, loadConfig } from '@app/config';
import { sandboxIdpOptions } from './idp/idp.config';
import { SANDBOX_SERVICES, Sandbox, startSandbox } from './sandbox';

function readConfig(): BffConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      host: config.sandbox.host,
      port: config.sandbox.port,
      // Per-request logs only when asked for; they would swamp benchmark runs.
      logger: config.logLevel === 'debug' || config.logLevel === 'trace',
      idp: sandboxIdpOptions(config),
      protoDir: config.grpcProtoDir,
    });
  } catch (error) {
    process.stderr.write(
      `sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }

  for (const name of SANDBOX_SERVICES)
    process.stdout.write(`sandbox ${name.padEnd(9)} ${sandbox.urls[name]}\n`);
  for (const [name, url] of Object.entries(sandbox.grpcUrls))
    process.stdout.write(`sandbox ${name.padEnd(9)} ${url} (gRPC)\n`);
  process.stdout.write(`sandbox ${'control'.padEnd(9)} ${sandbox.controlUrl}\n`);
  process.stdout.write(`sandbox ${'idp'.padEnd(9)} ${sandbox.idp.issuer}\n`);

  const shutdown = (signal: NodeJS.Signals): void => {
    process.stdout.write(`sandbox: ${signal}, closing\n`);
    // Do not hang forever on a stuck socket.
    setTimeout(() => process.exit(1), 5000).unref();
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sandbox: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

void main();
