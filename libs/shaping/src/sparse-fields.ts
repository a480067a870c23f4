import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiQuery, DECORATORS } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type Observable, map } from 'rxjs';
import { shape } from './shaping';
import type { ClassConstructor } from 'class-transformer';
import { ShapingInputError } from './shaping.errors';

/** A projection: `true` keeps a field whole, a nested tree keeps some of its fields. */
export interface FieldTree {
  [field: string]: FieldTree | true;
}

/** What `@SparseFields` asks for. */
interface SparseFieldsSpec {
  /** Shapes the whole response. */
  dto: abstract new (...args: never[]) => object;
  /** What `fields` names: the DTO itself, or the element DTO of `within`. */
  fieldsDto: abstract new (...args: never[]) => object;
  /** Project each element of this top-level array field instead of the root (list endpoints). */
  within?: string;
}

const SPARSE_FIELDS_METADATA = 'bff:sparse-fields';
const MAX_FIELDS = 50;
const MAX_DEPTH = 4;
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

type Ctor = abstract new (...args: never[]) => object;

function modelType(dto: Ctor, property: string): Ctor | undefined {
  const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto.prototype, property) as
    { type?: unknown } | undefined;
  let type: unknown = meta?.type ?? Reflect.getMetadata('design:type', dto.prototype, property);
  // Lazy `type: () => Dto` (arrow functions have no prototype; classes do).
  if (typeof type === 'function' && type.prototype === undefined) type = (type as () => unknown)();
  if (Array.isArray(type)) type = type[0];
  if (typeof type !== 'function' || type.prototype === undefined) return undefined;
  return Reflect.hasMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, type.prototype as object)
    ? (type as Ctor)
    : undefined;
}

const allowedCache = new WeakMap<Ctor, ReadonlySet<string>>();

/** Every field path of a DTO as documented for OpenAPI (`price`, `price.amount`, ...). */
export function allowedFieldPaths(dto: Ctor): ReadonlySet<string> {
  const cached = allowedCache.get(dto);
  if (cached !== undefined) return cached;
  const out = new Set<string>();
  const walk = (type: Ctor, prefix: string, depth: number): void => {
    const keys = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, type.prototype) ??
      []) as string[];
    for (const key of keys) {
      const name = key.startsWith(':') ? key.slice(1) : key;
      const path = prefix === '' ? name : `${prefix}.${name}`;
      out.add(path);
      const nested = depth < MAX_DEPTH ? modelType(type, name) : undefined;
      if (nested !== undefined) walk(nested, path, depth + 1);
    }
  };
  walk(dto, '', 1);
  allowedCache.set(dto, out);
  return out;
}

/** Parses `?fields=a,b.c` against the DTO; unknown fields are a 400 that lists the allowed ones. */
export function parseFields(value: unknown, dto: Ctor): FieldTree | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new ShapingInputError(
      'INVALID_FIELDS',
      'fields must be given once, as a comma-separated list',
    );
  }
  const allowed = allowedFieldPaths(dto);
  const paths = value.split(',').map((p) => p.trim());
  if (paths.length > MAX_FIELDS) {
    throw new ShapingInputError('INVALID_FIELDS', `fields lists more than ${MAX_FIELDS} fields`);
  }
  const unknown = paths.filter((p) => !FIELD_PATH.test(p) || !allowed.has(p));
  if (unknown.length > 0) {
    throw new ShapingInputError(
      'INVALID_FIELDS',
      `Unknown field(s) ${unknown.map((u) => `"${u.slice(0, 64)}"`).join(', ')}; allowed: ${[...allowed].join(', ')}`,
    );
  }
  const tree: FieldTree = {};
  for (const path of paths) {
    const parts = path.split('.');
    let node = tree;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const existing = node[part];
      if (existing === true) break;
      if (i === parts.length - 1) node[part] = true;
      else {
        const next: FieldTree = existing ?? {};
        node[part] = next;
        node = next;
      }
    }
  }
  return tree;
}

/** Keeps the fields of `tree` in `value`; arrays are projected element by element. */
export function project(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in tree) {
    if (!(key in source)) continue;
    const sub = tree[key];
    out[key] = sub === true ? source[key] : project(source[key], sub);
  }
  return out;
}

/** Shapes with the DTO, then keeps the requested fields (of each `within` element for lists). */
function shapeAndProject(
  body: unknown,
  spec: SparseFieldsSpec,
  tree: FieldTree | undefined,
): unknown {
  const shaped = shape(spec.dto as ClassConstructor<object>, body) as Record<string, unknown>;
  if (tree === undefined) return shaped;
  if (spec.within === undefined) return project(shaped, tree);
  return { ...shaped, [spec.within]: project(shaped[spec.within], tree) };
}

/**
 * Validates `?fields=` before the handler runs (a bad list costs no downstream call), then shapes
 * the handler's result with the DTO and projects it. Runs inside the global cache interceptor, so a
 * cached body is already projected (cache keys must include `fields`).
 */
@Injectable()
export class SparseFieldsInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<SparseFieldsSpec | undefined>(
      SPARSE_FIELDS_METADATA,
      context.getHandler(),
    );
    if (spec === undefined) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const query = request.query as Record<string, unknown> | undefined;
    const tree = parseFields(query?.fields, spec.fieldsDto);
    return next.handle().pipe(map((body: unknown) => shapeAndProject(body, spec, tree)));
  }
}

/**
 * Shapes the response with `dto` (like `@ResponseShape`, which it replaces) and supports sparse
 * fieldsets: `?fields=id,price.amount` keeps only those fields, validated against the DTO's OpenAPI
 * properties (unknown -> 400 listing the allowed ones). `within` projects each element of a list
 * field instead of the root (`{ items: [...], nextCursor }`).
 */
export function SparseFields(dto: Ctor, options: { within?: string } = {}): MethodDecorator {
  const fieldsDto = options.within === undefined ? dto : modelType(dto, options.within);
  if (fieldsDto === undefined) {
    throw new Error(`@SparseFields: ${dto.name}.${options.within} is not a documented DTO list`);
  }
  const spec: SparseFieldsSpec = { dto, fieldsDto, within: options.within };
  return applyDecorators(
    SetMetadata(SPARSE_FIELDS_METADATA, spec),
    UseInterceptors(SparseFieldsInterceptor),
    ApiQuery({
      name: 'fields',
      required: false,
      description: `Comma-separated fields to return${options.within === undefined ? '' : ` for each of \`${options.within}\``}, dot paths for nested ones. Allowed: ${[...allowedFieldPaths(fieldsDto)].join(', ')}`,
      schema: { type: 'string' },
    }),
  );
}
