import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants.js';
import {
  FIELD_RESOLVER_MIDDLEWARE_METADATA,
  PARAM_ARGS_METADATA,
  RESOLVER_NAME_METADATA,
  RESOLVER_PROPERTY_METADATA,
  RESOLVER_REFERENCE_METADATA,
  RESOLVER_TYPE_METADATA,
} from '@nestjs/graphql';

/** A resolver map as @nestjs/graphql builds it: type name -> field name -> resolver. */
type ResolverMap = Record<string, Record<string, unknown> | undefined>;

type Resolve = (root: unknown, args: unknown, context: unknown, info: unknown) => unknown;

/** @nestjs/graphql's parameter kinds (its `GqlParamtype`, not exported). */
const ROOT = 0;
const CONTEXT = 1;
const INFO = 2;
const ARGS = 3;
/** Declared types of scalar arguments; any other is an input class the global ValidationPipe checks. */
const SCALAR_TYPES: readonly unknown[] = [String, Number, Boolean, Object, Array];

interface Param {
  index: number;
  kind: number;
  data: string | undefined;
}

/**
 * Resolvers called straight from GraphQL execution instead of through Nest's wrapper. Nest runs
 * the app's global guards, interceptors, pipes and filters around every `Query` field and its
 * pipes around every other resolver, a few dozen µs per field; for GraphQL they do nothing here:
 * every global guard, interceptor and the exception filter pass non-HTTP contexts through, and
 * the ValidationPipe leaves scalar arguments alone (the schema has typed them). Who may call is
 * decided at `/graphql`'s edge (auth, CSRF, rate limit charged the cost) and per field by
 * `allow()`; neither is a Nest enhancer, so both still apply.
 *
 * A method keeps Nest's wrapper when it declares anything that wrapper would run: its own (or its
 * class's) guards, interceptors, pipes or filters, pipes on a parameter, a custom parameter
 * decorator, an argument of input-class type (the ValidationPipe validates it), or field
 * middleware on `@ResolveField`. Request-scoped resolvers are not given here and keep it too.
 */
export function directResolvers<T extends object>(resolvers: T, instances: readonly object[]): T {
  // With schema-first scalars in the app, @nestjs/graphql hands over a list of maps.
  if (Array.isArray(resolvers)) {
    return resolvers.map((r: unknown) =>
      typeof r === 'object' && r !== null ? directResolvers(r, instances) : r,
    ) as T;
  }
  const out: ResolverMap = { ...(resolvers as ResolverMap) };
  for (const instance of instances) {
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const methodName of Object.getOwnPropertyNames(prototype)) {
      const method = prototype[methodName];
      if (methodName === 'constructor' || typeof method !== 'function') continue;
      const target = targetOf(instance, method, methodName);
      if (target === undefined || typeof out[target.type]?.[target.name] !== 'function') continue;
      const params = plainParams(instance, method, methodName);
      if (params === undefined) continue;
      out[target.type] = {
        ...out[target.type],
        [target.name]: direct(instance, method as (...a: unknown[]) => unknown, params),
      };
    }
  }
  return out as T;
}

/** Where @nestjs/graphql puts the method in the resolver map (as its explorer does). */
function targetOf(
  instance: object,
  method: object,
  methodName: string,
): { type: string; name: string } | undefined {
  const type = (Reflect.getMetadata(RESOLVER_TYPE_METADATA, method) ??
    Reflect.getMetadata(RESOLVER_TYPE_METADATA, instance.constructor)) as unknown;
  if (typeof type !== 'string') return undefined;
  if (Reflect.getMetadata(RESOLVER_REFERENCE_METADATA, method) === true) return undefined;
  const property = Reflect.getMetadata(RESOLVER_PROPERTY_METADATA, method) === true;
  const root = ['Query', 'Mutation', 'Subscription'].includes(type);
  if (!property && !root) return undefined;
  if (type === 'Subscription') return undefined;
  const name =
    (Reflect.getMetadata(RESOLVER_NAME_METADATA, method) as string | undefined) ?? methodName;
  return { type, name };
}

/** The method's parameters, or undefined when Nest's wrapper has work to do for it. */
function plainParams(instance: object, method: object, methodName: string): Param[] | undefined {
  const enhancers = [
    GUARDS_METADATA,
    INTERCEPTORS_METADATA,
    PIPES_METADATA,
    EXCEPTION_FILTERS_METADATA,
  ];
  for (const key of enhancers) {
    const own = Reflect.getMetadata(key, method) as unknown[] | undefined;
    const ofClass = Reflect.getMetadata(key, instance.constructor) as unknown[] | undefined;
    if ((own?.length ?? 0) > 0 || (ofClass?.length ?? 0) > 0) return undefined;
  }
  const middleware = Reflect.getMetadata(FIELD_RESOLVER_MIDDLEWARE_METADATA, method) as
    unknown[] | undefined;
  if ((middleware?.length ?? 0) > 0) return undefined;
  const declared = (Reflect.getMetadata(PARAM_ARGS_METADATA, instance.constructor, methodName) ??
    {}) as Record<string, { index: number; data?: unknown; pipes?: unknown[] }>;
  const types = (Reflect.getMetadata('design:paramtypes', instance, methodName) ?? []) as unknown[];
  const params: Param[] = [];
  for (const [key, meta] of Object.entries(declared)) {
    const kind = Number(key.split(':', 1)[0]);
    // A custom decorator's key starts with its id, not a number.
    if (![ROOT, CONTEXT, INFO, ARGS].includes(kind)) return undefined;
    if ((meta.pipes?.length ?? 0) > 0) return undefined;
    if (meta.data !== undefined && typeof meta.data !== 'string') return undefined;
    if (kind === ARGS && !SCALAR_TYPES.includes(types[meta.index])) return undefined;
    params.push({ index: meta.index, kind, data: meta.data });
  }
  return params;
}

function direct(instance: object, method: (...a: unknown[]) => unknown, params: Param[]): Resolve {
  // Without parameter decorators Nest passes GraphQL's own arguments.
  if (params.length === 0) return method.bind(instance) as Resolve;
  const length = params.reduce((n, p) => Math.max(n, p.index + 1), 0);
  return (root, args, context, info) => {
    const values = new Array<unknown>(length);
    for (const p of params) {
      const source =
        p.kind === ROOT ? root : p.kind === ARGS ? args : p.kind === CONTEXT ? context : info;
      values[p.index] =
        p.data === undefined || p.kind === ROOT || source == null
          ? source
          : (source as Record<string, unknown>)[p.data];
    }
    return method.apply(instance, values);
  };
}
