import type { AuditConfig, RedisConfig } from '@app/config';
import type { Principal } from '@app/core';
import { type Redis, closeRedisClient, createRedisClient } from '@app/redis';
import { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One line of the audit log (JSONL). */
export interface AuditRecord {
  /** ISO time the response was decided. */
  readonly at: string;
  readonly requestId: string | undefined;
  /** Who: the verified caller, or null when authentication failed. */
  readonly actor: {
    readonly subject: string;
    readonly kind: Principal['kind'];
    readonly roles: readonly string[];
    readonly clientName?: string;
  } | null;
  /** What: method and route pattern, plus the concrete path. */
  readonly method: string;
  readonly route: string | undefined;
  readonly path: string;
  /** Target: the route parameters (ids). */
  readonly target: Readonly<Record<string, string>>;
  /** Outcome: final HTTP status, and whether the change was made, refused or failed. */
  readonly status: number;
  readonly outcome: 'success' | 'denied' | 'rejected' | 'failed';
  /** What was done: the handler's name for it (`order.status.change`), else `<METHOD> <route>`. */
  readonly action: string;
  /** On what: the handler's name for it (`order/ord_00001`), else the path. */
  readonly resource: string;
  /** The fields the change touched, each with its value before and after (successful changes). */
  readonly changes?: Readonly<Record<string, AuditFieldChange>>;
  /** Why, as the caller gave it. */
  readonly reason?: string;
  /** The client's address (through `TRUSTED_PROXIES`, as rate limits see it). */
  readonly clientIp: string;
}

/** One field a change touched. */
export interface AuditFieldChange {
  readonly before: unknown;
  readonly after: unknown;
}

export function outcomeOf(status: number): AuditRecord['outcome'] {
  if (status < 400) return 'success';
  if (status === 401 || status === 403) return 'denied';
  return status < 500 ? 'rejected' : 'failed';
}

/**
 * Append-only audit log: a JSONL file, fsynced before `append` resolves, so a record the caller
 * awaited survives a crash right after. Concurrent appends are group-committed (one write and one
 * fdatasync for everything queued meanwhile). Optionally mirrored to a Redis stream.
 */
export class AuditTrail {
  private readonly logger = new Logger('Audit');
  private handle: Promise<FileHandle> | undefined;
  private queue: { line: string; done: (error?: unknown) => void }[] = [];
  private flushing = false;
  private redis: Redis | undefined;

  constructor(
    private readonly config: AuditConfig,
    redis: RedisConfig | undefined,
  ) {
    if (config.redisStream !== undefined && redis?.url !== undefined) {
      // Fails open: a record the stream misses (Redis down or frozen) is still in the file.
      this.redis = createRedisClient({
        url: redis.url,
        use: 'audit-stream',
        commandTimeoutMs: redis.commandTimeoutMs,
      });
    }
  }

  /**
   * Resolves once the record is on disk (and offered to the stream, when there is one); rejects
   * when it could not be written to the file.
   */
  async append(record: AuditRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const written = new Promise<void>((resolve, reject) => {
      this.queue.push({ line, done: (error) => (error === undefined ? resolve() : reject(error)) });
    });
    if (!this.flushing) void this.flush();
    const streamed =
      this.redis !== undefined && this.config.redisStream !== undefined
        ? // The file is the durable record; the stream fails open. Awaited all the same, so a
          // caller that reads the stream after the answer (GET /audit) finds its own change.
          this.redis
            .xadd(this.config.redisStream, 'MAXLEN', '~', '100000', '*', 'record', line.trimEnd())
            .then(
              () => undefined,
              (error: unknown) => this.logger.warn(`audit stream: ${(error as Error).message}`),
            )
        : undefined;
    await Promise.all([written, streamed]);
  }

  /** The Redis client of the stream, for reading it back (undefined without a stream). */
  streamClient(): Redis | undefined {
    return this.redis;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const file = await this.file();
        await file.appendFile(batch.map((b) => b.line).join(''));
        await file.datasync();
        for (const b of batch) b.done();
      } catch (error) {
        this.logger.error(`audit log ${this.config.path} not written: ${(error as Error).message}`);
        // Reopen next time: the file may have been moved or the disk remounted.
        this.handle = undefined;
        for (const b of batch) b.done(error);
      }
    }
    this.flushing = false;
  }

  private file(): Promise<FileHandle> {
    this.handle ??= (async () => {
      mkdirSync(dirname(this.config.path), { recursive: true });
      return open(this.config.path, 'a', 0o640);
    })();
    return this.handle;
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setImmediate(r));
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
    if (this.redis !== undefined) closeRedisClient(this.redis);
  }
}
