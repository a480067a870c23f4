import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** Where a violation was found. */
export type RequestPart = 'body' | 'query' | 'path';

/** One schema violation as sent to the client (no schema internals beyond the keyword). */
export interface Violation {
  in: RequestPart;
  /** JSON Pointer into the part (`""` = the part itself). */
  path: string;
  message: string;
}

/** A part's validator: undefined when valid, else the violations (the 400 lists the first 10). */
export type PartValidator = (value: unknown) => Violation[] | undefined;

export interface CompiledValidation {
  readonly body?: PartValidator;
  readonly query?: PartValidator;
  readonly path?: PartValidator;
}

type Problems = string[];

function ajv(coerce: boolean): Ajv2020 {
  // strictSchema: unknown keywords and formats are schema errors at boot, not silently ignored.
  // allErrors: the client gets every violation at once (bounded by the route's body limit).
  const instance = new Ajv2020({
    strictSchema: true,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
  });
  addFormats(instance);
  return instance;
}

function violations(part: RequestPart, errors: readonly ErrorObject[]): Violation[] {
  return errors.map((e) => ({
    in: part,
    path: e.instancePath,
    message:
      e.keyword === 'additionalProperties'
        ? `must not have property "${String((e.params as { additionalProperty?: unknown }).additionalProperty)}"`
        : e.keyword === 'required'
          ? `must have property "${String((e.params as { missingProperty?: unknown }).missingProperty)}"`
          : (e.message ?? 'is invalid'),
  }));
}

function loadSchema(
  raw: unknown,
  where: string,
  baseDir: string,
  problems: Problems,
): object | boolean | undefined {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string' || raw.trim() === '') {
    problems.push(`${where} must be a schema file (next to the route table) or an inline schema`);
    return undefined;
  }
  const file = isAbsolute(raw) ? raw : resolve(baseDir, raw);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as object;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      `${where}: schema file ${raw} ${code === undefined ? `is not valid JSON (${(error as Error).message})` : `cannot be read (${code})`}`,
    );
    return undefined;
  }
}

/**
 * Compiles a route's `validate` (JSON Schema draft 2020-12, Ajv) once at boot. `body` is checked
 * as parsed JSON; `query` as an object of strings (a repeated name becomes a list; types are
 * coerced, so `{"type":"integer"}` accepts `?limit=5`); `path` as the list of decoded segments
 * below the route's prefix. Schemas are files next to the route table (or inline).
 */
export function compileValidation(
  raw: unknown,
  baseDir: string,
  problems: Problems,
  at: (s: string) => string,
): CompiledValidation | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(at('validate must be an object { body?, query?, path? }'));
    return undefined;
  }
  const before = problems.length;
  const out: { -readonly [K in RequestPart]?: PartValidator } = {};
  for (const [part, value] of Object.entries(raw)) {
    if (part !== 'body' && part !== 'query' && part !== 'path') {
      problems.push(at(`validate: unknown part "${part}" (body, query, path)`));
      continue;
    }
    const where = at(`validate.${part}`);
    const schema = loadSchema(value, where, baseDir, problems);
    if (schema === undefined) continue;
    let validate: ValidateFunction;
    try {
      validate = ajv(part !== 'body').compile(schema);
    } catch (error) {
      problems.push(`${where}: invalid JSON Schema (${(error as Error).message})`);
      continue;
    }
    out[part] = (value) => (validate(value) ? undefined : violations(part, validate.errors ?? []));
  }
  if (Object.keys(out).length === 0 && problems.length === before) {
    problems.push(at('validate names no part (body, query, path)'));
  }
  return problems.length > before ? undefined : out;
}

/** The query string as the validator sees it: one string per name, a list when repeated. */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<
    string,
    string | string[]
  >;
  for (const [key, value] of params) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}
