import { type Principal, RequestContextStore } from '@app/core';
import { HeaderPolicy } from '@app/downstream';
import { XMLParser } from 'fast-xml-parser';
import {
  type Json,
  type PointerTrie,
  getAt,
  isObject,
  parsePointer,
  pick,
  pointerTrie,
  removeAt,
  setAt,
} from './json-pointer';

/**
 * Declarative request/response transformations (Kong's request- and response-transformer, AWS
 * mapping templates): an ordered list of operations per direction, compiled once at boot into
 * functions. Usable on their own by aggregating code (`compileTransform`, `applyTransform`).
 */

/** What an operation may take a value from: never from the client. */
export const VALUE_SOURCES = [
  'principal.sub',
  'principal.kind',
  'principal.roles',
  'principal.scopes',
  'principal.org_id',
  'principal.tier',
  'principal.client',
  'request.id',
  'request.ip',
  'request.time',
] as const;
export type ValueSource = (typeof VALUE_SOURCES)[number];

/** Per request: what the value sources read. */
export interface TransformContext {
  readonly principal: Principal | undefined;
  readonly requestId: string;
  readonly ip: string;
  readonly now: Date;
}

/** Headers by lower-case name, as sent downstream or to the client. */
export type HeaderBag = Record<string, string | string[] | undefined>;

export interface CompiledTransform {
  readonly headers: readonly ((headers: HeaderBag, ctx: TransformContext) => void)[];
  readonly query: readonly ((query: URLSearchParams, ctx: TransformContext) => void)[];
  /** Body operations in order; each returns the (possibly new) document. */
  readonly body: readonly ((doc: Json, ctx: TransformContext) => Json)[];
  /** The answer is XML, turned into JSON before the body operations (response only). */
  readonly xml: boolean;
}

export type Direction = 'request' | 'response';

const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const HEADER_VALUE = /^[\t\x20-\x7e]{0,1024}$/;
const QUERY_NAME = /^[A-Za-z0-9._~[\]-]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const KEY = /^[^\u0000-\u001f]{1,128}$/;
/** Set by the transport or the proxy for the one body actually sent: never an operation's. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'content-encoding']);
const POLICY = new HeaderPolicy();

const OPS: Readonly<Record<Direction, readonly string[]>> = {
  request: [
    'header.add',
    'header.set',
    'header.remove',
    'header.rename',
    'query.add',
    'query.set',
    'query.remove',
    'query.rename',
    'body.add',
    'body.remove',
    'body.rename',
    'body.move',
    'body.case',
  ],
  response: [
    'header.add',
    'header.set',
    'header.remove',
    'header.rename',
    'body.xml',
    'body.add',
    'body.remove',
    'body.rename',
    'body.move',
    'body.case',
    'body.allow',
    'body.deny',
  ],
};

const FIELDS: Readonly<Record<string, readonly string[]>> = {
  'header.add': ['op', 'name', 'value', 'from'],
  'header.set': ['op', 'name', 'value', 'from'],
  'header.remove': ['op', 'name'],
  'header.rename': ['op', 'name', 'to'],
  'query.add': ['op', 'name', 'value', 'from'],
  'query.set': ['op', 'name', 'value', 'from'],
  'query.remove': ['op', 'name'],
  'query.rename': ['op', 'name', 'to'],
  'body.add': ['op', 'path', 'value', 'from'],
  'body.remove': ['op', 'path'],
  'body.rename': ['op', 'path', 'to'],
  'body.move': ['op', 'from', 'path'],
  'body.case': ['op', 'to'],
  'body.xml': ['op'],
  'body.allow': ['op', 'paths', 'clients'],
  'body.deny': ['op', 'paths', 'clients'],
};

type ValueFn = (ctx: TransformContext) => Json | undefined;

function source(from: ValueSource): ValueFn {
  switch (from) {
    case 'principal.sub':
      return (c) => c.principal?.subject;
    case 'principal.kind':
      return (c) => c.principal?.kind;
    case 'principal.roles':
      return (c) => (c.principal === undefined ? undefined : [...c.principal.roles]);
    case 'principal.scopes':
      return (c) => (c.principal === undefined ? undefined : [...c.principal.scopes]);
    case 'principal.org_id':
      return (c) => c.principal?.orgId;
    case 'principal.tier':
      return (c) => c.principal?.tier;
    case 'principal.client':
      return (c) => c.principal?.clientName;
    case 'request.id':
      return (c) => c.requestId;
    case 'request.ip':
      return (c) => c.ip;
    case 'request.time':
      return (c) => c.now.toISOString();
  }
}

/** A header or query value: lists are joined with commas. */
function text(value: Json | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => String(v)).join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const toCamel = (key: string): string =>
  key.replace(/[_-]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
const toSnake = (key: string): string =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();

/** Every key of a document converted (values untouched). */
export function convertKeys(doc: Json, to: 'camel' | 'snake'): Json {
  const convert = to === 'camel' ? toCamel : toSnake;
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    const out: Record<string, Json> = {};
    for (const key of Object.keys(node)) {
      Object.defineProperty(out, convert(key), {
        value: walk(node[key]),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(doc);
}

/** XML parsing with no entities (no expansion attacks), no DOCTYPE, bounded nesting. */
const XML = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: true,
  trimValues: true,
  maxNestedTags: 64,
});

/** The JSON form of an XML document; throws on DOCTYPE or malformed input. */
export function xmlToJson(xml: string): Json {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('XML with a DOCTYPE is refused');
  return XML.parse(xml, true) as Json;
}

type Problems = string[];

function headerName(value: unknown, where: string, problems: Problems): string | undefined {
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
    problems.push(`${where} must be a header name (letters, digits, dashes)`);
    return undefined;
  }
  const lower = value.toLowerCase();
  if (FRAMING.has(lower) || !POLICY.allowsClientHeader(lower)) {
    problems.push(
      `${where}: "${value}" is set by the BFF itself (framing, hop-by-hop, identity or credential header)`,
    );
    return undefined;
  }
  return lower;
}

function valueOf(
  op: Record<string, unknown>,
  where: string,
  stringOnly: boolean,
  problems: Problems,
): ValueFn | undefined {
  const hasValue = Object.hasOwn(op, 'value');
  const hasFrom = op.from !== undefined;
  if (hasValue === hasFrom) {
    problems.push(`${where} needs exactly one of "value" (a constant) or "from" (a source)`);
    return undefined;
  }
  if (hasFrom) {
    if (!(VALUE_SOURCES as readonly unknown[]).includes(op.from)) {
      problems.push(`${where}: from must be one of ${VALUE_SOURCES.join(', ')}`);
      return undefined;
    }
    return source(op.from as ValueSource);
  }
  const constant = op.value as Json;
  if (stringOnly && (typeof constant !== 'string' || !HEADER_VALUE.test(constant))) {
    problems.push(`${where}: value must be a string of printable characters`);
    return undefined;
  }
  const frozen = JSON.stringify(constant);
  // A fresh copy per request: later operations may change it in place.
  return typeof constant === 'object' && constant !== null
    ? () => JSON.parse(frozen) as Json
    : () => constant;
}

function pointer(value: unknown, where: string, problems: Problems): string[] | undefined {
  const tokens = typeof value === 'string' ? parsePointer(value) : undefined;
  if (tokens === undefined) {
    problems.push(`${where} is not a JSON Pointer (RFC 6901, e.g. "/customer/id")`);
    return undefined;
  }
  if (tokens.length === 0) {
    problems.push(`${where} must not be the whole document ("")`);
    return undefined;
  }
  return tokens;
}

function clientFilter(
  op: Record<string, unknown>,
  where: string,
  problems: Problems,
): ((ctx: TransformContext) => boolean) | undefined {
  if (op.clients === undefined) return () => true;
  const list = op.clients;
  if (!Array.isArray(list) || list.length === 0 || list.some((c) => typeof c !== 'string')) {
    problems.push(`${where}: clients must be a non-empty list of client names`);
    return undefined;
  }
  const clients = new Set(list as string[]);
  return (ctx) => ctx.principal?.clientName !== undefined && clients.has(ctx.principal.clientName);
}

function pointerList(op: Record<string, unknown>, where: string, problems: Problems) {
  if (!Array.isArray(op.paths) || op.paths.length === 0 || op.paths.length > 64) {
    problems.push(`${where}: paths must be a list of 1 to 64 JSON Pointers`);
    return undefined;
  }
  const before = problems.length;
  const list = op.paths.map((p: unknown, i: number) =>
    pointer(p, `${where}.paths[${i}]`, problems),
  );
  return problems.length > before ? undefined : (list as string[][]);
}

/**
 * Compiles a direction's operations; every problem is pushed as `transform.<direction>[i]: ...`
 * (the caller prefixes the route). Unknown operations and fields, bad pointers and names are refused.
 */
export function compileTransform(
  raw: unknown,
  direction: Direction,
  problems: Problems,
  at = (s: string) => s,
): CompiledTransform | undefined {
  const base = `transform.${direction}`;
  if (!Array.isArray(raw) || raw.length > 64) {
    problems.push(at(`${base} must be a list of at most 64 operations`));
    return undefined;
  }
  const before = problems.length;
  const headers: CompiledTransform['headers'][number][] = [];
  const query: CompiledTransform['query'][number][] = [];
  const body: CompiledTransform['body'][number][] = [];
  let xml = false;
  raw.forEach((op: unknown, i: number) => {
    const where = at(`${base}[${i}]`);
    if (!isObject(op as Json) || typeof (op as { op?: unknown }).op !== 'string') {
      problems.push(`${where} must be an object with an "op"`);
      return;
    }
    const o = op as Record<string, unknown>;
    const name = o.op as string;
    if (!OPS[direction].includes(name)) {
      problems.push(
        `${where}: unknown operation "${name}" (${direction} operations: ${OPS[direction].join(', ')})`,
      );
      return;
    }
    for (const key of Object.keys(o)) {
      if (!FIELDS[name].includes(key)) problems.push(`${where}: unknown field "${key}" of ${name}`);
    }
    const [kind, verb] = name.split('.') as ['header' | 'query' | 'body', string];
    if (kind === 'header') {
      const header = headerName(o.name, `${where}.name`, problems);
      if (verb === 'rename') {
        const to = headerName(o.to, `${where}.to`, problems);
        if (header !== undefined && to !== undefined) {
          headers.push((h) => {
            const v = h[header];
            if (v === undefined) return;
            delete h[header];
            h[to] = v;
          });
        }
      } else if (verb === 'remove') {
        if (header !== undefined) headers.push((h) => void delete h[header]);
      } else {
        const value = valueOf(o, where, true, problems);
        if (header === undefined || value === undefined) return;
        const add = verb === 'add';
        headers.push((h, ctx) => {
          if (add && h[header] !== undefined) return;
          const v = text(value(ctx));
          // A missing value (anonymous caller, no org) removes the header: never the client's own.
          if (v === undefined) delete h[header];
          else h[header] = v;
        });
      }
    } else if (kind === 'query') {
      const q = typeof o.name === 'string' && QUERY_NAME.test(o.name) ? o.name : undefined;
      if (q === undefined) problems.push(`${where}.name must be a query parameter name`);
      if (verb === 'rename') {
        const to = typeof o.to === 'string' && QUERY_NAME.test(o.to) ? o.to : undefined;
        if (to === undefined) problems.push(`${where}.to must be a query parameter name`);
        if (q !== undefined && to !== undefined) {
          query.push((p) => {
            const values = p.getAll(q);
            if (values.length === 0) return;
            p.delete(q);
            for (const v of values) p.append(to, v);
          });
        }
      } else if (verb === 'remove') {
        if (q !== undefined) query.push((p) => p.delete(q));
      } else {
        const value = valueOf(o, where, true, problems);
        if (q === undefined || value === undefined) return;
        const add = verb === 'add';
        query.push((p, ctx) => {
          if (add && p.has(q)) return;
          const v = text(value(ctx));
          if (v === undefined) p.delete(q);
          else p.set(q, v);
        });
      }
    } else if (verb === 'xml') {
      if (body.length > 0 || xml)
        problems.push(`${where}: body.xml must be the first body operation`);
      xml = true;
    } else if (verb === 'case') {
      if (o.to !== 'camel' && o.to !== 'snake') {
        problems.push(`${where}.to must be "camel" or "snake"`);
        return;
      }
      const to = o.to;
      body.push((doc) => convertKeys(doc, to));
    } else if (verb === 'add') {
      const path = pointer(o.path, `${where}.path`, problems);
      const value = valueOf(o, where, false, problems);
      if (path === undefined || value === undefined) return;
      body.push((doc, ctx) => {
        const v = value(ctx);
        return v === undefined ? removeAt(doc, path) : setAt(doc, path, v);
      });
    } else if (verb === 'remove') {
      const path = pointer(o.path, `${where}.path`, problems);
      if (path !== undefined) body.push((doc) => removeAt(doc, path));
    } else if (verb === 'rename') {
      const path = pointer(o.path, `${where}.path`, problems);
      const to = typeof o.to === 'string' && KEY.test(o.to) ? o.to : undefined;
      if (to === undefined) problems.push(`${where}.to must be the member's new name`);
      if (path === undefined || to === undefined) return;
      const target = [...path.slice(0, -1), to];
      body.push((doc) => move(doc, path, target));
    } else if (verb === 'move') {
      const from = pointer(o.from, `${where}.from`, problems);
      const path = pointer(o.path, `${where}.path`, problems);
      if (from === undefined || path === undefined) return;
      if (path.length > from.length && from.every((t, k) => t === path[k])) {
        problems.push(`${where}: cannot move a member into itself`);
        return;
      }
      body.push((doc) => move(doc, from, path));
    } else {
      const applies = clientFilter(o, where, problems);
      const paths = pointerList(o, where, problems);
      if (applies === undefined || paths === undefined) return;
      if (verb === 'allow') {
        const trie: PointerTrie = pointerTrie(paths);
        body.push((doc, ctx) => (applies(ctx) ? (pick(doc, trie) ?? {}) : doc));
      } else {
        body.push((doc, ctx) => {
          if (!applies(ctx)) return doc;
          for (const path of paths) removeAt(doc, path);
          return doc;
        });
      }
    }
  });
  if (problems.length > before) return undefined;
  return { headers, query, body, xml };
}

function move(doc: Json, from: readonly string[], to: readonly string[]): Json {
  const value = getAt(doc, from);
  if (value === undefined) return doc;
  return setAt(removeAt(doc, from), to, value);
}

/** Runs the body operations of a compiled transform on a parsed document. */
export function applyBodyTransform(
  transform: CompiledTransform,
  doc: Json,
  ctx: TransformContext,
): Json {
  let out = doc;
  for (const op of transform.body) out = op(out, ctx);
  return out;
}

/** Runs the header operations on a header bag (lower-case names), in place. */
export function applyHeaderTransform(
  transform: CompiledTransform,
  headers: HeaderBag,
  ctx: TransformContext,
): void {
  for (const op of transform.headers) op(headers, ctx);
}

/**
 * For code (an aggregating endpoint): compiles operations once, at module load or in a
 * constructor, and throws listing every problem, as routes.json does at boot.
 */
export function defineTransform(ops: readonly object[], direction: Direction): CompiledTransform {
  const problems: string[] = [];
  const transform = compileTransform(ops, direction, problems);
  if (transform === undefined)
    throw new Error(`Invalid transform:\n  - ${problems.join('\n  - ')}`);
  return transform;
}

/** The values of the request being served (its context), for code outside the routes. */
export function currentTransformContext(ip = ''): TransformContext {
  const ctx = RequestContextStore.current();
  return { principal: ctx?.principal, requestId: ctx?.requestId ?? '', ip, now: new Date() };
}
