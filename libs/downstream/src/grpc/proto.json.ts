import type { PackageDefinition } from '@grpc/proto-loader';

/**
 * The proto3 JSON mapping (https://protobuf.dev/programming-guides/json/) over the descriptors
 * proto-loader gives, both ways: a decoded message to JSON (unset messages as null, 64-bit
 * integers as strings, wrappers as their value) and strict JSON / text input to a message
 * (unknown fields and type mismatches are errors naming the field, as Envoy's transcoder and
 * grpc-gateway refuse them). Messages are the plain objects proto-loader (de)serialises with
 * {@link PROTO_LOADER_OPTIONS}.
 */

/** proto-loader options every gRPC party of the BFF uses: JSON names, longs and enums as strings. */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  oneofs: true,
} as const;

type ScalarKind =
  'double' | 'float' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string' | 'bytes';

export interface FieldInfo {
  /** JSON (lowerCamelCase) name, also the property name of decoded messages. */
  readonly name: string;
  readonly repeated: boolean;
  readonly kind: ScalarKind | 'enum' | 'message';
  /** Full name of the message or enum type. */
  readonly typeName?: string;
  /** Map fields: the entry's key and value. */
  readonly map?: { key: FieldInfo; value: FieldInfo };
}

export interface MessageInfo {
  readonly fullName: string;
  readonly fields: readonly FieldInfo[];
  /** By JSON name and by the proto (snake_case) spelling. */
  readonly byName: ReadonlyMap<string, FieldInfo>;
  /** google.protobuf wrapper types: the JSON value is the wrapped scalar. */
  readonly wrapper?: ScalarKind;
}

/** Input that does not fit the request message: the client's mistake (400). */
export class TranscodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscodeError';
  }
}

const SCALARS: Readonly<Record<string, ScalarKind>> = {
  TYPE_DOUBLE: 'double',
  TYPE_FLOAT: 'float',
  TYPE_INT32: 'int32',
  TYPE_SINT32: 'int32',
  TYPE_SFIXED32: 'int32',
  TYPE_UINT32: 'uint32',
  TYPE_FIXED32: 'uint32',
  TYPE_INT64: 'int64',
  TYPE_SINT64: 'int64',
  TYPE_SFIXED64: 'int64',
  TYPE_UINT64: 'uint64',
  TYPE_FIXED64: 'uint64',
  TYPE_BOOL: 'bool',
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
};

const WRAPPERS: Readonly<Record<string, ScalarKind>> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

interface FieldProto {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface DescriptorProto {
  name: string;
  field: FieldProto[];
  nestedType: DescriptorProto[];
  enumType: { name: string; value: { name: string; number: number }[] }[];
  options: { mapEntry?: boolean } | null;
}

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Message and enum types of a package definition, with type names resolved. */
export class ProtoTypes {
  private readonly messages = new Map<string, MessageInfo>();
  private readonly enums = new Map<string, ReadonlyMap<string, number>>();
  private readonly raw = new Map<string, DescriptorProto>();

  constructor(definition: PackageDefinition) {
    for (const [fullName, entry] of Object.entries(definition)) {
      const format = (entry as { format?: string }).format;
      const type = (entry as { type?: unknown }).type;
      if (format === 'Protocol Buffer 3 DescriptorProto') {
        this.collect(fullName, type as DescriptorProto);
      } else if (format === 'Protocol Buffer 3 EnumDescriptorProto') {
        const values = (type as { value: { name: string; number: number }[] }).value;
        this.enums.set(fullName, new Map(values.map((v) => [v.name, v.number])));
      }
    }
  }

  /** The message type `fullName` (e.g. `bff.inventory.v1.Stock`). */
  message(fullName: string): MessageInfo {
    const cached = this.messages.get(fullName);
    if (cached !== undefined) return cached;
    const proto = this.raw.get(fullName);
    if (proto === undefined) throw new Error(`Unknown message type ${fullName}`);
    const fields = proto.field.map((f) => this.field(fullName, f));
    const byName = new Map<string, FieldInfo>();
    for (const f of fields) {
      byName.set(f.name, f);
      byName.set(snake(f.name), f);
    }
    const info: MessageInfo = { fullName, fields, byName, wrapper: WRAPPERS[fullName] };
    this.messages.set(fullName, info);
    return info;
  }

  enumValues(fullName: string): ReadonlyMap<string, number> {
    const values = this.enums.get(fullName);
    if (values === undefined) throw new Error(`Unknown enum type ${fullName}`);
    return values;
  }

  private collect(fullName: string, proto: DescriptorProto): void {
    this.raw.set(fullName, proto);
    for (const nested of proto.nestedType) this.collect(`${fullName}.${nested.name}`, nested);
    for (const e of proto.enumType) {
      this.enums.set(`${fullName}.${e.name}`, new Map(e.value.map((v) => [v.name, v.number])));
    }
  }

  /** Resolves a type name as protoc does: innermost scope first. */
  private resolve(scope: string, typeName: string): string {
    if (typeName.startsWith('.')) return typeName.slice(1);
    const parts = scope.split('.');
    for (let i = parts.length; i >= 0; i--) {
      const candidate = [...parts.slice(0, i), typeName].join('.');
      if (this.raw.has(candidate) || this.enums.has(candidate)) return candidate;
    }
    throw new Error(`Cannot resolve type ${typeName} from ${scope}`);
  }

  private field(scope: string, f: FieldProto): FieldInfo {
    const repeated = f.label === 'LABEL_REPEATED';
    const scalar = SCALARS[f.type];
    if (scalar !== undefined) return { name: f.name, repeated, kind: scalar };
    const typeName = this.resolve(scope, f.typeName);
    if (f.type === 'TYPE_ENUM') return { name: f.name, repeated, kind: 'enum', typeName };
    const entry = this.raw.get(typeName);
    if (repeated && entry?.options?.mapEntry === true) {
      const [key, value] = entry.field.map((e) => this.field(typeName, e));
      return { name: f.name, repeated: false, kind: 'message', typeName, map: { key, value } };
    }
    return { name: f.name, repeated, kind: 'message', typeName };
  }
}

// ---- well-known types with their own JSON form (besides the wrappers) ----

interface WellKnown {
  toJson(message: Record<string, unknown>): string;
  /** The message, or undefined when the text is not in the type's JSON form. */
  fromJson(text: string): Record<string, unknown> | undefined;
  expected: string;
}

/** 0, 3, 6 or 9 fractional digits, as proto3 JSON writes them. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1_000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^(-)?(\d{1,12})(?:\.(\d{1,9}))?s$/;

const WELL_KNOWN: Readonly<Record<string, WellKnown>> = {
  'google.protobuf.Timestamp': {
    expected: 'an RFC 3339 timestamp',
    toJson: (m) => {
      const seconds = Number(m.seconds ?? 0);
      const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
      return `${iso}${fraction(Number(m.nanos ?? 0))}Z`;
    },
    fromJson: (text) => {
      const match = TIMESTAMP.exec(text);
      if (match === null) return undefined;
      const ms = Date.parse(`${match[1]}${match[3]}`);
      if (Number.isNaN(ms)) return undefined;
      return { seconds: String(ms / 1000), nanos: Number((match[2] ?? '').padEnd(9, '0')) };
    },
  },
  'google.protobuf.Duration': {
    expected: 'a duration like "1.5s"',
    toJson: (m) => {
      const seconds = Number(m.seconds ?? 0);
      const nanos = Number(m.nanos ?? 0);
      const sign = seconds < 0 || nanos < 0 ? '-' : '';
      return `${sign}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
    },
    fromJson: (text) => {
      const match = DURATION.exec(text);
      if (match === null) return undefined;
      const sign = match[1] === '-' ? -1 : 1;
      const nanos = Number((match[3] ?? '').padEnd(9, '0'));
      return { seconds: String(sign * Number(match[2])), nanos: sign * nanos };
    },
  },
};

// ---- message -> JSON ----

function scalarToJson(kind: ScalarKind, value: unknown): unknown {
  if ((kind === 'double' || kind === 'float') && typeof value === 'number' && !isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

function valueToJson(types: ProtoTypes, field: FieldInfo, value: unknown): unknown {
  if (field.kind !== 'message') return scalarToJson(field.kind as ScalarKind, value);
  if (value === null || value === undefined) return null;
  return messageToJson(types, types.message(field.typeName as string), value);
}

/** A decoded message as proto3 JSON; every field is present (unset messages as `null`). */
export function messageToJson(types: ProtoTypes, info: MessageInfo, message: unknown): unknown {
  const obj = (message ?? {}) as Record<string, unknown>;
  if (info.wrapper !== undefined) return scalarToJson(info.wrapper, obj.value);
  const special = WELL_KNOWN[info.fullName];
  if (special !== undefined) return special.toJson(obj);
  const out: Record<string, unknown> = {};
  for (const field of info.fields) {
    const value = obj[field.name];
    // Decoded with defaults, only fields with presence can be undefined: an unset member of a
    // oneof or an unset proto3 `optional`, which proto3 JSON leaves out.
    if (value === undefined && !field.repeated && field.map === undefined) continue;
    if (field.map !== undefined) {
      const map: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        map[k] = valueToJson(types, field.map.value, v);
      }
      out[field.name] = map;
    } else if (field.repeated) {
      out[field.name] = ((value ?? []) as unknown[]).map((v) => valueToJson(types, field, v));
    } else {
      out[field.name] = valueToJson(types, field, value);
    }
  }
  return out;
}

// ---- JSON / text -> message ----

const INT = /^-?\d+$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const LIMITS: Partial<Record<ScalarKind, [number, number]>> = {
  int32: [-2_147_483_648, 2_147_483_647],
  uint32: [0, 4_294_967_295],
};

function mismatch(path: string, expected: string): TranscodeError {
  return new TranscodeError(`${path} must be ${expected}`);
}

function scalarFromJson(kind: ScalarKind, value: unknown, path: string, text: boolean): unknown {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw mismatch(path, 'a string');
      return value;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (text && (value === 'true' || value === 'false')) return value === 'true';
      throw mismatch(path, 'a boolean');
    case 'int32':
    case 'uint32': {
      const n = typeof value === 'string' && INT.test(value) ? Number(value) : value;
      const [min, max] = LIMITS[kind] as [number, number];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
        throw mismatch(path, `an integer between ${min} and ${max}`);
      }
      return n;
    }
    case 'int64':
    case 'uint64': {
      const s = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof s !== 'string' || !INT.test(s) || (kind === 'uint64' && s.startsWith('-'))) {
        throw mismatch(path, 'an integer (a number or a decimal string)');
      }
      return s;
    }
    case 'double':
    case 'float': {
      if (typeof value === 'number') return value;
      if (value === 'NaN') return NaN;
      if (value === 'Infinity' || value === '-Infinity') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && isFinite(Number(value))) {
        return Number(value);
      }
      throw mismatch(path, 'a number');
    }
    case 'bytes':
      if (typeof value !== 'string' || !BASE64.test(value)) throw mismatch(path, 'base64 text');
      return value;
  }
}

function valueFromJson(
  types: ProtoTypes,
  field: FieldInfo,
  value: unknown,
  path: string,
  text: boolean,
): unknown {
  if (field.kind === 'enum') {
    const values = types.enumValues(field.typeName as string);
    if (typeof value === 'string' && values.has(value)) return value;
    const n = typeof value === 'string' && INT.test(value) ? Number(value) : value;
    for (const [name, number] of values) if (number === n) return name;
    throw mismatch(path, `one of ${[...values.keys()].join(', ')}`);
  }
  if (field.kind !== 'message') return scalarFromJson(field.kind, value, path, text);
  const info = types.message(field.typeName as string);
  if (info.wrapper !== undefined) {
    return { value: scalarFromJson(info.wrapper, value, path, text) };
  }
  const special = WELL_KNOWN[info.fullName];
  if (special !== undefined) {
    if (typeof value !== 'string') throw mismatch(path, special.expected);
    const parsed = special.fromJson(value);
    if (parsed === undefined) throw mismatch(path, special.expected);
    return parsed;
  }
  if (text) throw mismatch(path, 'given in the body (a message)');
  return messageFromJson(types, info, value, path);
}

/** Looks a field up by JSON or proto name; unknown names are the client's error. */
function fieldOf(info: MessageInfo, name: string, path: string): FieldInfo {
  const field = info.byName.get(name);
  if (field === undefined) throw new TranscodeError(`unknown field ${path}`);
  return field;
}

/** A JSON object as a message of type `info`, refusing unknown fields and mismatched types. */
export function messageFromJson(
  types: ProtoTypes,
  info: MessageInfo,
  json: unknown,
  path = 'body',
): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw mismatch(path, 'an object');
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const at = `${path}.${key}`;
    const field = fieldOf(info, key, at);
    // null is the field's default value in proto3 JSON.
    if (value === null) continue;
    if (field.map !== undefined) {
      if (typeof value !== 'object' || Array.isArray(value)) throw mismatch(at, 'an object');
      const map: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        scalarFromJson(field.map.key.kind as ScalarKind, k, `${at} key`, true);
        map[k] = valueFromJson(types, field.map.value, v, `${at}.${k}`, false);
      }
      out[field.name] = map;
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw mismatch(at, 'an array');
      out[field.name] = value.map((v, i) => valueFromJson(types, field, v, `${at}[${i}]`, false));
    } else {
      out[field.name] = valueFromJson(types, field, value, at, false);
    }
  }
  return out;
}

/**
 * Sets the field at a dotted path (`product_id`, `page.size`) from text (a path parameter or a
 * query value), as google.api.http does. A repeated field takes each value once more, and also a
 * comma-separated list (the BFF's REST services' convention for id lists).
 */
export function setFromText(
  types: ProtoTypes,
  info: MessageInfo,
  message: Record<string, unknown>,
  fieldPath: string,
  text: string,
  source: string,
): void {
  const names = fieldPath.split('.');
  let target = message;
  let current = info;
  for (let i = 0; i < names.length - 1; i++) {
    const field = fieldOf(current, names[i], `${source} ${fieldPath}`);
    if (field.kind !== 'message' || field.repeated || field.map !== undefined) {
      throw new TranscodeError(`${source} ${fieldPath} does not name a field`);
    }
    current = types.message(field.typeName as string);
    target = (target[field.name] ??= {}) as Record<string, unknown>;
  }
  const field = fieldOf(current, names[names.length - 1], `${source} ${fieldPath}`);
  if (field.map !== undefined) throw new TranscodeError(`${source} ${fieldPath} is a map`);
  const at = `${source} ${fieldPath}`;
  if (field.repeated) {
    const list = (target[field.name] ??= []) as unknown[];
    for (const part of text.split(',')) list.push(valueFromJson(types, field, part, at, true));
    return;
  }
  if (target[field.name] !== undefined) throw new TranscodeError(`${at} is given twice`);
  target[field.name] = valueFromJson(types, field, text, at, true);
}
