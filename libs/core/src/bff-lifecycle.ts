import { Injectable } from '@nestjs/common';

/**
 * Process-level state of a BFF app. A graceful shutdown flips `draining` first: readiness answers
 * 503 and every response asks its client to close the connection, while in-flight work finishes.
 */
@Injectable()
export class BffLifecycle {
  private drainingSince: number | undefined;
  private readonly drainListeners: (() => void)[] = [];

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** Idempotent; returns when draining started (epoch ms). */
  startDraining(): number {
    if (this.drainingSince === undefined) {
      this.drainingSince = Date.now();
      // Long-lived connections (live feed) must close now: the listener waits for every socket.
      for (const listener of this.drainListeners.splice(0)) listener();
    }
    return this.drainingSince;
  }

  /** Runs `listener` when draining starts (at once if it has). */
  onDrain(listener: () => void): void {
    if (this.draining) listener();
    else this.drainListeners.push(listener);
  }
}
