import { Injectable } from '@nestjs/common';

/**
 * Process-level state of a BFF app. A graceful shutdown flips `draining` first: readiness answers
 * 503 and every response asks its client to close the connection, while in-flight work finishes.
 */
@Injectable()
export class BffLifecycle {
  private drainingSince: number | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** Idempotent; returns when draining started (epoch ms). */
  startDraining(): number {
    this.drainingSince ??= Date.now();
    return this.drainingSince;
  }
}
