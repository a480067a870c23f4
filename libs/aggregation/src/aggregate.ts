import { DeadlineExceededError, RequestContextStore } from '@app/core';
import type {
  Aggregate,
  Fallback,
  OptionalPart,
  Parts,
  RequiredPart,
  ResponseMeta,
} from './aggregation.types';

/**
 * A part that must succeed. `run` gets a signal that aborts when a sibling required part fails;
 * pass it to the downstream client so no work outlives the response.
 */
export function required<T>(run: (signal: AbortSignal) => Promise<T>): RequiredPart<T> {
  return { required: true, run };
}

/**
 * A part that may fail: it is omitted (or replaced by what `fallback` gives, possibly async) and
 * listed as partial.
 */
export function optional<T>(
  run: (signal: AbortSignal) => Promise<T>,
  fallback?: Fallback<T>,
): OptionalPart<T> {
  return { required: false, run, fallback };
}

/** A fallback that always gives `value`. */
export function staticFallback<T>(value: T): Fallback<T> {
  return () => value;
}

/**
 * Tries fallbacks in order and keeps the first value that is not `undefined`, e.g. a stale cached
 * copy, then a static default: `fallbackChain(staleCopy, staticFallback([]))`.
 */
export function fallbackChain<T>(...fallbacks: Fallback<T>[]): Fallback<T> {
  return async (error) => {
    for (const fallback of fallbacks) {
      const value = await fallback(error);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Runs a fallback; a throwing fallback counts as none. */
function runFallback(fallback: Fallback<unknown>, error: unknown): unknown {
  try {
    return fallback(error);
  } catch {
    return undefined;
  }
}

/**
 * Runs every part in parallel under the current request's deadline.
 * - all succeed: complete aggregate;
 * - an optional part fails or is still running at the deadline: left out, listed in `partial`;
 * - a required part fails: the others are aborted and its typed error is thrown.
 * Failed parts are also recorded in the request context, which marks the response partial and
 * not cacheable (`X-Partial-Response`, `Cache-Control: no-store`).
 */
export function aggregate<P extends Parts>(parts: P): Promise<Aggregate<P>> {
  const ctx = RequestContextStore.current();
  const names = Object.keys(parts);
  const controller = new AbortController();
  const data: Record<string, unknown> = {};
  const failed = new Set<string>();

  return new Promise<Aggregate<P>>((resolve, reject) => {
    let pending = names.length;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (error !== undefined) {
        controller.abort(error);
        reject(error);
        return;
      }
      const partial = names.filter((n) => failed.has(n));
      ctx?.partial.push(...partial);
      resolve({ data: data as Aggregate<P>['data'], partial: partial as Aggregate<P>['partial'] });
    };

    const done = (): void => {
      if (--pending === 0) finish();
    };
    const fail = (name: string, error: unknown): void => {
      const part = parts[name];
      if (part.required) return finish(error);
      failed.add(name);
      const value = part.fallback === undefined ? undefined : runFallback(part.fallback, error);
      if (!isPromiseLike(value)) {
        if (value !== undefined) data[name] = value;
        return done();
      }
      // Settled after the response (deadline, required failure): ignored, the part stays omitted.
      value.then(
        (v) => {
          if (settled) return;
          if (v !== undefined) data[name] = v;
          done();
        },
        () => {
          if (!settled) done();
        },
      );
    };

    if (pending === 0) return finish();
    for (const name of names) {
      let promise: Promise<unknown>;
      try {
        promise = parts[name].run(controller.signal);
      } catch (error) {
        fail(name, error);
        continue;
      }
      promise.then(
        (value) => {
          if (settled) return;
          data[name] = value;
          if (--pending === 0) finish();
        },
        (error: unknown) => {
          if (!settled) fail(name, error);
        },
      );
    }

    if (ctx !== undefined && !settled) {
      // Parts that ignore their signal must not hold the response past the deadline.
      const left = Math.max(0, ctx.deadlineAt - performance.now());
      timer = setTimeout(() => {
        for (const name of names) {
          if (name in data || failed.has(name)) continue;
          if (parts[name].required)
            return finish(new DeadlineExceededError(`Part "${name}" missed the deadline`));
          failed.add(name);
          const fallback = parts[name].fallback;
          // No time is left to wait for an async fallback: only a ready value can be used.
          const value =
            fallback === undefined
              ? undefined
              : runFallback(
                  fallback,
                  new DeadlineExceededError(`Part "${name}" missed the deadline`),
                );
          if (value !== undefined && !isPromiseLike(value)) data[name] = value;
        }
        finish();
      }, left);
      timer.unref();
    }
  });
}

/** Metadata for the response body: every part left out so far in this request. */
export function responseMeta(): ResponseMeta {
  return { partial: [...(RequestContextStore.current()?.partial ?? [])] };
}
