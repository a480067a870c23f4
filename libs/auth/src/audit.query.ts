import type { AuditConfig } from '@app/config';
import { BffError } from '@app/core';
import type { Redis } from '@app/redis';
import { open } from 'node:fs/promises';
import { AuditUnavailableError } from './auth.errors';
import type { AuditRecord } from './audit.trail';

/** Which records `GET /audit` wants; every given criterion must match. */
export interface AuditFilter {
  /** The actor's subject. */
  readonly actor?: string;
  readonly action?: string;
  readonly resource?: string;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, inclusive. */
  readonly to?: number;
}

/** One page of records, newest first; `nextCursor` continues before the last one. */
export interface AuditPage {
  readonly items: AuditRecord[];
  readonly nextCursor?: string;
  /** Where the records were read: the file, or the Redis stream when one is configured. */
  readonly source: 'file' | 'redis-stream';
}

/** A cursor that is no cursor of ours. */
export class InvalidAuditCursorError extends BffError {
  readonly status = 400;
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('cursor is not a cursor of this endpoint');
  }
}

type Position = { k: 'file'; o: number } | { k: 'stream'; id: string };

const encode = (position: Position): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

function decode(cursor: string | undefined, kind: Position['k']): Position | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    if (kind === 'file' && value.k === 'file' && Number.isSafeInteger(value.o) && value.o >= 0) {
      return value;
    }
    if (kind === 'stream' && value.k === 'stream' && /^\d{1,20}-\d{1,20}$/.test(value.id)) {
      return value;
    }
  } catch {
    // Falls through to the error.
  }
  throw new InvalidAuditCursorError();
}

/** Index of the last newline at or before `from`, or -1 (never a search from the end). */
function previousNewline(data: Buffer, from: number): number {
  return from < 0 ? -1 : data.lastIndexOf(0x0a, from);
}

function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.actor !== undefined && record.actor?.subject !== filter.actor) return false;
  if (filter.action !== undefined && record.action !== filter.action) return false;
  if (filter.resource !== undefined && record.resource !== filter.resource) return false;
  const at = Date.parse(record.at);
  if (filter.from !== undefined && at < filter.from) return false;
  if (filter.to !== undefined && at > filter.to) return false;
  return true;
}

function parse(line: string): AuditRecord | undefined {
  try {
    const record = JSON.parse(line) as AuditRecord;
    return typeof record === 'object' && record !== null && typeof record.at === 'string'
      ? record
      : undefined;
  } catch {
    // A torn last line (crash mid-write) or a foreign line: not a record.
    return undefined;
  }
}

/** Bounds of the work one request may do, however selective its filter. */
export interface AuditQueryLimits {
  /** Bytes of the file read per request (default 8 MiB). */
  readonly maxScanBytes: number;
  /** Stream entries read per request (default 20000). */
  readonly maxScanEntries: number;
}

const DEFAULT_LIMITS: AuditQueryLimits = { maxScanBytes: 8 * 1024 * 1024, maxScanEntries: 20_000 };
const CHUNK = 64 * 1024;
const STREAM_BATCH = 500;
const STREAM_ID_SLACK_MS = 60_000;

/**
 * Reads the audit trail back (`GET /audit`), newest first with cursor paging, from the Redis
 * stream when `AUDIT_REDIS_STREAM` is set, else from the file. Each request reads at most
 * `limits` of it: a selective filter over a long trail gets a short (even empty) page with a
 * cursor to continue, never an unbounded scan.
 */
export class AuditQuery {
  constructor(
    private readonly config: AuditConfig,
    private readonly redis: Redis | undefined,
    private readonly limits: AuditQueryLimits = DEFAULT_LIMITS,
  ) {}

  get source(): AuditPage['source'] {
    return this.config.redisStream !== undefined && this.redis !== undefined
      ? 'redis-stream'
      : 'file';
  }

  async find(filter: AuditFilter, limit: number, cursor?: string): Promise<AuditPage> {
    return this.source === 'redis-stream'
      ? this.fromStream(filter, limit, decode(cursor, 'stream'))
      : this.fromFile(filter, limit, decode(cursor, 'file'));
  }

  /** Reads the file backwards from the cursor's offset (or its end), in chunks. */
  private async fromFile(
    filter: AuditFilter,
    limit: number,
    position: Position | undefined,
  ): Promise<AuditPage> {
    let handle;
    try {
      handle = await open(this.config.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], source: 'file' };
      throw new AuditUnavailableError('The audit trail cannot be read', undefined, {
        cause: error,
      });
    }
    try {
      const size = (await handle.stat()).size;
      let end = Math.min(position?.k === 'file' ? position.o : size, size);
      const items: AuditRecord[] = [];
      // The start of the earliest line seen so far, whose beginning is in a chunk not yet read.
      let pending = Buffer.alloc(0);
      let scanned = 0;
      while (end > 0) {
        const start = Math.max(0, end - CHUNK);
        const chunk = Buffer.alloc(end - start);
        await handle.read(chunk, 0, chunk.length, start);
        scanned += chunk.length;
        const data = Buffer.concat([chunk, pending]);
        // Whole lines of `data`, newest first. `data` ends on a line boundary (the cursor's
        // offset, the end of the file, or the start of a line already read).
        let lineEnd = data.length;
        for (;;) {
          const nl = previousNewline(data, lineEnd - 2);
          if (nl < 0 && start > 0) break;
          const lineStart = nl + 1;
          const record = parse(data.subarray(lineStart, lineEnd).toString('utf8'));
          lineEnd = lineStart;
          if (record !== undefined) {
            // Appended in time order: nothing earlier in the file can be in range.
            if (filter.from !== undefined && Date.parse(record.at) < filter.from) {
              return { items, source: 'file' };
            }
            if (matches(record, filter)) {
              items.push(record);
              const offset = start + lineStart;
              if (items.length === limit) {
                return offset > 0
                  ? { items, nextCursor: encode({ k: 'file', o: offset }), source: 'file' }
                  : { items, source: 'file' };
              }
            }
          }
          if (lineStart === 0) break;
        }
        pending = data.subarray(0, lineEnd);
        end = start;
        if (scanned >= this.limits.maxScanBytes && end > 0) {
          // Budget spent: the next page starts at the earliest whole line read.
          return {
            items,
            nextCursor: encode({ k: 'file', o: end + pending.length }),
            source: 'file',
          };
        }
      }
      return { items, source: 'file' };
    } finally {
      await handle.close();
    }
  }

  /** XREVRANGE from the cursor's entry (exclusive) or the end of the time range, in batches. */
  private async fromStream(
    filter: AuditFilter,
    limit: number,
    position: Position | undefined,
  ): Promise<AuditPage> {
    const redis = this.redis as Redis;
    const key = this.config.redisStream as string;
    let end =
      position?.k === 'stream'
        ? `(${position.id}`
        : filter.to === undefined
          ? '+'
          : // An entry's id is its XADD time, a little after its `at`: look past `to`, filter by `at`.
            String(Math.floor(filter.to) + STREAM_ID_SLACK_MS);
    const start = filter.from === undefined ? '-' : String(Math.floor(filter.from));
    const items: AuditRecord[] = [];
    let scanned = 0;
    for (;;) {
      let entries: [string, string[]][];
      try {
        entries = await redis.xrevrange(key, end, start, 'COUNT', STREAM_BATCH);
      } catch (error) {
        throw new AuditUnavailableError('The audit stream cannot be read', undefined, {
          cause: error,
        });
      }
      for (const [id, fields] of entries) {
        scanned++;
        const at = fields.indexOf('record');
        const record = at >= 0 && at % 2 === 0 ? parse(fields[at + 1] ?? '') : undefined;
        if (record !== undefined && matches(record, filter)) {
          items.push(record);
          if (items.length === limit) {
            return { items, nextCursor: encode({ k: 'stream', id }), source: 'redis-stream' };
          }
        }
        end = `(${id}`;
      }
      if (entries.length < STREAM_BATCH) return { items, source: 'redis-stream' };
      if (scanned >= this.limits.maxScanEntries) {
        const id = end.slice(1);
        return { items, nextCursor: encode({ k: 'stream', id }), source: 'redis-stream' };
      }
    }
  }
}
