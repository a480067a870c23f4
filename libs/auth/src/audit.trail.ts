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

  /** Resolves once the record is on disk; rejects when it could not be written. */
  append(record: AuditRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const written = new Promise<void>((resolve, reject) => {
      this.queue.push({ line, done: (error) => (error === undefined ? resolve() : reject(error)) });
    });
    if (!this.flushing) void this.flush();
    if (this.redis !== undefined && this.config.redisStream !== undefined) {
      // The file is the durable record; the stream is a convenience feed.
      this.redis
        .xadd(this.config.redisStream, 'MAXLEN', '~', '100000', '*', 'record', line.trimEnd())
        .catch((error: unknown) => this.logger.warn(`audit stream: ${(error as Error).message}`));
    }
    return written;
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
