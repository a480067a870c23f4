import type { LogLevel } from '@app/config';
import { RequestContextStore } from '@app/core';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED, REDACT_PATHS } from './log.redaction';

export interface StructuredLoggerOptions {
  app: string;
  level: LogLevel;
  destination?: DestinationStream;
}

/**
 * The app's pino logger: JSON lines, ISO times, secrets redacted, and the request id and trace id
 * of the current request added to every line logged while serving it.
 */
export function createStructuredLogger(options: StructuredLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { app: options.app, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
      // A fresh object each time: pino merges the line's fields into it.
      mixin: () => {
        const ctx = RequestContextStore.current();
        return ctx === undefined ? {} : { requestId: ctx.requestId, traceId: ctx.traceId };
      },
    },
    options.destination ?? stdoutDestination(),
  );
}

/** Asynchronous buffered writes to stdout, off the request path; pino flushes them at exit. */
export function stdoutDestination(): DestinationStream & { flushSync(): void } {
  return pino.destination({ dest: 1, sync: false });
}

/**
 * nestjs-pino's PinoLogger bound to this app's logger instance. nestjs-pino otherwise keeps one
 * root logger per process (the first app's) and an HTTP middleware per request; we need neither:
 * the request line is written by our Fastify hook and request fields come from the mixin above.
 */
class AppPinoLogger extends PinoLogger {
  constructor(private readonly instance: Logger) {
    super({ pinoHttp: { logger: instance, autoLogging: false } });
  }

  override get logger(): Logger {
    return this.instance;
  }
}

/** Nest's LoggerService over pino (message, context and stack conventions handled by nestjs-pino). */
export function nestLoggerFor(instance: Logger): NestPinoLogger {
  return new NestPinoLogger(new AppPinoLogger(instance), {});
}
