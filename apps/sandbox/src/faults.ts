import { SANDBOX_SERVICES, SandboxServiceName, isSandboxService } from './sandbox.types';

export interface FaultSettings {
  /** Delay before answering, in ms (0..60000). */
  latencyMs: number;
  /** Extra uniform random delay 0..jitterMs, in ms (0..60000). */
  jitterMs: number;
  /** Fraction (0..1) of requests answered with `errorStatus` and a JSON error body. */
  errorRate: number;
  /** Status of injected errors (500..599). */
  errorStatus: number;
  /** The service stops listening (ECONNREFUSED) and drops open sockets until cleared. */
  outage: boolean;
  /** Fraction (0..1) of requests whose socket is reset with no response. */
  resetRate: number;
  /** Status and headers go out at once; the body trickles over this many ms (0..60000). */
  slowBodyMs: number;
  /**
   * gRPC status code of injected errors on the gRPC listeners (1..16); 0 (default) derives it
   * from `errorStatus` (503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, 501 UNIMPLEMENTED, else INTERNAL).
   */
  grpcStatus: number;
}

export const DEFAULT_FAULT_SETTINGS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatus: 500,
  outage: false,
  resetRate: 0,
  slowBodyMs: 0,
  grpcStatus: 0,
});

/** Thrown for an unknown service or an invalid settings patch; `problems` lists every issue. */
export class FaultValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid fault settings: ${problems.join('; ')}`);
    this.name = 'FaultValidationError';
  }
}

type Rule = (value: unknown) => boolean;
const range =
  (min: number, max: number, integer = false): Rule =>
  (v) =>
    typeof v === 'number' &&
    Number.isFinite(v) &&
    v >= min &&
    v <= max &&
    (!integer || Number.isInteger(v));

const RULES: Readonly<Record<keyof FaultSettings, { check: Rule; expected: string }>> = {
  latencyMs: { check: range(0, 60_000), expected: 'a number between 0 and 60000' },
  jitterMs: { check: range(0, 60_000), expected: 'a number between 0 and 60000' },
  errorRate: { check: range(0, 1), expected: 'a number between 0 and 1' },
  errorStatus: { check: range(500, 599, true), expected: 'an integer between 500 and 599' },
  outage: { check: (v) => typeof v === 'boolean', expected: 'a boolean' },
  resetRate: { check: range(0, 1), expected: 'a number between 0 and 1' },
  slowBodyMs: { check: range(0, 60_000), expected: 'a number between 0 and 60000' },
  grpcStatus: { check: range(0, 16, true), expected: 'an integer between 0 and 16' },
};

export const FAULT_SETTING_KEYS = Object.keys(RULES) as (keyof FaultSettings)[];

/** Checks a patch; returns the problems found (empty when valid). */
export function validateFaultPatch(patch: unknown): string[] {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    return ['settings must be a JSON object'];
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const rule = (RULES as Record<string, (typeof RULES)[keyof FaultSettings] | undefined>)[key];
    if (rule === undefined)
      problems.push(`unknown setting "${key}" (known: ${FAULT_SETTING_KEYS.join(', ')})`);
    else if (!rule.check(value))
      problems.push(`${key} must be ${rule.expected} (got ${JSON.stringify(value)})`);
  }
  return problems;
}

export type FaultChangeListener = (
  service: SandboxServiceName,
  settings: Readonly<FaultSettings>,
) => void;

/**
 * Fault settings of every service. Settings objects are frozen and replaced on change, so the
 * per-request hook can read them without copying.
 */
export class FaultRegistry {
  private readonly settings = new Map<SandboxServiceName, Readonly<FaultSettings>>();
  private readonly listeners = new Set<FaultChangeListener>();

  constructor() {
    for (const name of SANDBOX_SERVICES) this.settings.set(name, DEFAULT_FAULT_SETTINGS);
  }

  get(service: SandboxServiceName): Readonly<FaultSettings> {
    return this.settings.get(this.check(service)) as Readonly<FaultSettings>;
  }

  getAll(): Record<SandboxServiceName, FaultSettings> {
    const all = {} as Record<SandboxServiceName, FaultSettings>;
    for (const name of SANDBOX_SERVICES) all[name] = { ...this.get(name) };
    return all;
  }

  /** Merges `patch` into the service's settings; all-or-nothing, throws {@link FaultValidationError}. */
  set(service: SandboxServiceName, patch: Partial<FaultSettings>): FaultSettings {
    this.check(service);
    const problems = validateFaultPatch(patch);
    if (problems.length > 0) throw new FaultValidationError(problems);
    this.replace(service, { ...this.get(service), ...patch });
    return { ...this.get(service) };
  }

  /** Back to defaults for one service, or for all of them. */
  reset(service?: SandboxServiceName): void {
    const names = service === undefined ? SANDBOX_SERVICES : [this.check(service)];
    for (const name of names) this.replace(name, DEFAULT_FAULT_SETTINGS);
  }

  /** Called after every change; returns the unsubscribe function. */
  onChange(listener: FaultChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private replace(service: SandboxServiceName, next: FaultSettings): void {
    const frozen = Object.isFrozen(next) ? next : Object.freeze(next);
    this.settings.set(service, frozen);
    for (const listener of this.listeners) listener(service, frozen);
  }

  private check(service: string): SandboxServiceName {
    if (!isSandboxService(service)) {
      throw new FaultValidationError([
        `unknown service "${service}" (known: ${SANDBOX_SERVICES.join(', ')})`,
      ]);
    }
    return service;
  }
}
