export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Small typed readers that collect problems instead of throwing at the first one. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: EnvSource) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  urls(name: string, fallback: readonly string[], protocols: readonly string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    const out: string[] = [];
    for (const part of value.split(',').map((s) => s.trim())) {
      try {
        const url = new URL(part);
        if (!protocols.includes(url.protocol) || url.search || url.hash || url.username)
          throw new Error();
        out.push(url.toString().replace(/\/$/, ''));
      } catch {
        this.problems.push(
          `${name} must be a comma-separated list of ${protocols.join('/')} URLs (got "${part}")`,
        );
      }
    }
    return out;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no', 'off'].includes(value.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${name} must be a number between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  list(name: string, fallback: readonly string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}
