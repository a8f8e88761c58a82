// Strict proto3 canonical JSON <-> protobufjs messages, by reflection on the Envoy Root.
// protobufjs's own fromObject silently drops unknown fields and accepts anything
// number-ish, so a typo in a generated resource would vanish on the wire. Here every
// unknown field, wrong JSON type, unknown enum name or doubly-set oneof is an error naming
// its JSON path.
import protobuf from 'protobufjs';
import { lookupType, tryLookupType, typeNameFromUrl } from './protos.js';
import { typeInfo, type FieldInfo, type TypeInfo } from './type-info.js';
import { base64Decode, fieldMaskFromJson, parseDuration, parseTimestamp, toBigInt, toLong, type SecondsNanos } from './wkt.js';
import {
  CodecError, isDefaultScalar, isPlainObject, joinPath, prop, SPECIAL_TYPES, WRAPPER_TYPES, type Props,
} from './codec-common.js';
import { printMessage } from './json-print.js';

export { CodecError, isPlainObject, isWrapperType, joinPath } from './codec-common.js';

function fail(typeName: string, path: string, problem: string): never {
  throw new CodecError(`${typeName}: ${problem}${path ? ` at ${path}` : ''}`, path);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
const INT32: readonly [number, number] = [-0x80000000, 0x7fffffff];
const UINT32: readonly [number, number] = [0, 0xffffffff];
const INT64: readonly [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const UINT64: readonly [bigint, bigint] = [0n, 2n ** 64n - 1n];
const FLOAT_MAX = 3.4028234663852886e38;

function parseInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

function parseScalar(scalarType: string, v: unknown, typeName: string, path: string): unknown {
  const wrong = (what: string): never => fail(typeName, path, `expected ${what}, got ${describe(v)}`);
  switch (scalarType) {
    case 'string':
      return typeof v === 'string' ? v : wrong('a string');
    case 'bool':
      return typeof v === 'boolean' ? v : wrong('a boolean');
    case 'bytes': {
      const bytes = typeof v === 'string' ? base64Decode(v) : undefined;
      return bytes ?? wrong('base64 bytes');
    }
    case 'double':
    case 'float': {
      let n: number | undefined;
      if (typeof v === 'number') n = v;
      else if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') n = Number(v);
      else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) n = Number(v);
      if (n === undefined) return wrong('a number');
      if (scalarType === 'float' && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX) return wrong('a float32 in range');
      return n;
    }
    case 'int32': case 'sint32': case 'sfixed32': case 'uint32': case 'fixed32': {
      const [lo, hi] = scalarType === 'uint32' || scalarType === 'fixed32' ? UINT32 : INT32;
      const b = parseInteger(v);
      if (b === undefined || b < BigInt(lo) || b > BigInt(hi)) return wrong(`a ${scalarType}`);
      return Number(b);
    }
    case 'int64': case 'sint64': case 'sfixed64': case 'uint64': case 'fixed64': {
      const unsigned = scalarType === 'uint64' || scalarType === 'fixed64';
      const [lo, hi] = unsigned ? UINT64 : INT64;
      const b = parseInteger(v);
      if (b === undefined || b < lo || b > hi) return wrong(`a ${scalarType} (number or decimal string)`);
      return toLong(b, unsigned);
    }
    default:
      throw new Error(`unsupported scalar type ${scalarType}`);
  }
}
function parseEnum(enumType: protobuf.Enum, v: unknown, typeName: string, path: string): number {
  if (typeof v === 'string') {
    const n = Object.hasOwn(enumType.values, v) ? enumType.values[v] : undefined;
    if (n === undefined) fail(typeName, path, `unknown enum value ${JSON.stringify(v)} for ${enumType.fullName.slice(1)}`);
    return n;
  }
  // proto3 enums are open: numbers outside the declared set are legal on the wire
  // (the validator's enum.defined_only is what rejects them).
  if (typeof v === 'number' && Number.isInteger(v) && v >= INT32[0] && v <= INT32[1]) return v;
  return fail(typeName, path, `expected an enum name or number, got ${describe(v)}`);
}

export function fromJson(typeName: string, json: unknown, path = ''): protobuf.Message {
  return parseMessage(lookupType(typeName), json, path, false);
}

function parseMessage(type: protobuf.Type, json: unknown, path: string, skipAtType: boolean): protobuf.Message {
  const info = typeInfo(type);
  if (SPECIAL_TYPES.has(info.fullName)) return type.create(parseSpecial(info, json, path));
  if (!isPlainObject(json)) fail(info.fullName, path, `expected an object, got ${describe(json)}`);
  const props: Props = {};
  const seen = new Set<FieldInfo>();
  const oneofSet = new Map<protobuf.OneOf, string>();
  for (const key of Object.keys(json)) {
    const value = json[key];
    // Absent, as JSON.stringify would make it: lets callers write `{ x: cond ? v : undefined }`.
    if (value === undefined || (skipAtType && key === '@type')) continue;
    const fpath = joinPath(path, key);
    const fi = info.byJsonKey.get(key);
    if (!fi) fail(info.fullName, fpath, `unknown field ${JSON.stringify(key)}`);
    if (seen.has(fi)) fail(info.fullName, fpath, `field ${fi.jsonName} is given twice`);
    seen.add(fi);
    // null means "unset" for every field, except a Value, where it is the JSON null.
    if (value === null && (fi.repeated || fi.map || fi.messageType?.fullName !== '.google.protobuf.Value')) continue;
    if (fi.oneof) {
      const other = oneofSet.get(fi.oneof);
      if (other !== undefined) fail(info.fullName, fpath, `oneof ${fi.oneof.name} has both ${other} and ${fi.jsonName} set`);
      oneofSet.set(fi.oneof, fi.jsonName);
    }
    const parsed = parseField(info, fi, value, fpath);
    if (parsed !== undefined) props[fi.prop] = parsed;
  }
  return type.create(props);
}

function parseField(info: TypeInfo, fi: FieldInfo, value: unknown, path: string): unknown {
  if (fi.map) {
    if (!isPlainObject(value)) fail(info.fullName, path, `expected an object (map), got ${describe(value)}`);
    const out: Props = {};
    for (const k of Object.keys(value)) {
      const kpath = joinPath(path, k);
      out[parseMapKey(info, fi, k, kpath)] = parseElement(info, fi, value[k], kpath);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (fi.repeated) {
    if (!Array.isArray(value)) fail(info.fullName, path, `expected an array, got ${describe(value)}`);
    const out = value.map((v: unknown, i) => parseElement(info, fi, v, `${path}[${i}]`));
    return out.length > 0 ? out : undefined;
  }
  const v = parseSingle(info, fi, value, path);
  // Implicit-presence scalars at their default are not serialized in proto3; dropping them
  // keeps the encoding canonical (and byte-identical to what protoc-generated code writes).
  return !fi.presence && isDefaultScalar(v) ? undefined : v;
}

function parseElement(info: TypeInfo, fi: FieldInfo, v: unknown, path: string): unknown {
  if (v === null && fi.messageType?.fullName !== '.google.protobuf.Value') fail(info.fullName, path, 'null is not allowed here');
  return parseSingle(info, fi, v, path);
}

function parseSingle(info: TypeInfo, fi: FieldInfo, v: unknown, path: string): unknown {
  if (fi.messageType) return parseMessage(fi.messageType, v, path, false);
  if (fi.enumType) return parseEnum(fi.enumType, v, info.fullName, path);
  return parseScalar(fi.scalarType, v, info.fullName, path);
}

function parseMapKey(info: TypeInfo, fi: FieldInfo, key: string, path: string): string {
  const kt = fi.keyType ?? 'string';
  if (kt === 'string') return key;
  if (kt === 'bool') {
    // protobufjs encodes map keys from object keys, so "false" would be written as true.
    fail(info.fullName, path, 'bool map keys are not supported');
  }
  const parsed = parseScalar(kt, key, info.fullName, path);
  return String(typeof parsed === 'number' ? parsed : toBigInt(parsed, false));
}

function secondsNanosProps(info: TypeInfo, sn: SecondsNanos): Props {
  const props: Props = {};
  if (sn.seconds !== 0n) props[prop(info, 1)] = toLong(sn.seconds, false);
  if (sn.nanos !== 0) props[prop(info, 2)] = sn.nanos;
  return props;
}

/** Props for the well-known types with their own JSON form. */
function parseSpecial(info: TypeInfo, json: unknown, path: string): Props {
  const name = info.fullName;
  switch (name) {
    case 'google.protobuf.Any':
      return parseAny(info, json, path);
    case 'google.protobuf.Duration': {
      const d = typeof json === 'string' ? parseDuration(json) : undefined;
      if (!d) fail(name, path, `expected a duration like "1.5s", got ${describe(json)}`);
      return secondsNanosProps(info, d);
    }
    case 'google.protobuf.Timestamp': {
      const t = typeof json === 'string' ? parseTimestamp(json) : undefined;
      if (!t) fail(name, path, `expected an RFC 3339 timestamp, got ${describe(json)}`);
      return secondsNanosProps(info, t);
    }
    case 'google.protobuf.FieldMask': {
      const paths = typeof json === 'string' ? fieldMaskFromJson(json) : undefined;
      if (!paths) fail(name, path, `expected a field mask like "a.b,c", got ${describe(json)}`);
      return paths.length > 0 ? { [prop(info, 1)]: paths } : {};
    }
    case 'google.protobuf.Struct': {
      if (!isPlainObject(json)) fail(name, path, `expected an object, got ${describe(json)}`);
      const fields: Props = {};
      for (const k of Object.keys(json)) fields[k] = parseValue(json[k], joinPath(path, k));
      return Object.keys(fields).length > 0 ? { [prop(info, 1)]: fields } : {};
    }
    case 'google.protobuf.ListValue': {
      if (!Array.isArray(json)) fail(name, path, `expected an array, got ${describe(json)}`);
      const values = json.map((v: unknown, i) => parseValue(v, `${path}[${i}]`));
      return values.length > 0 ? { [prop(info, 1)]: values } : {};
    }
    case 'google.protobuf.Value':
      return valueProps(json, path);
    default: {
      // A wrapper: the plain JSON of its `value` field.
      const fi = info.byId.get(1);
      if (!fi || !WRAPPER_TYPES.has(name)) throw new Error(`no JSON mapping for ${name}`);
      const v = json === null ? fail(name, path, 'null is not a wrapper value') : parseScalar(fi.scalarType, json, name, path);
      return isDefaultScalar(v) ? {} : { [fi.prop]: v };
    }
  }
}

function parseValue(json: unknown, path: string): protobuf.Message {
  return lookupType('google.protobuf.Value').create(valueProps(json, path));
}

function valueProps(json: unknown, path: string): Props {
  const info = typeInfo(lookupType('google.protobuf.Value'));
  if (json === null) return { [prop(info, 1)]: 0 };
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) fail(info.fullName, path, 'a Value number must be finite');
    return { [prop(info, 2)]: json };
  }
  if (typeof json === 'string') return { [prop(info, 3)]: json };
  if (typeof json === 'boolean') return { [prop(info, 4)]: json };
  if (Array.isArray(json)) return { [prop(info, 6)]: parseMessage(lookupType('google.protobuf.ListValue'), json, path, false) };
  if (isPlainObject(json)) return { [prop(info, 5)]: parseMessage(lookupType('google.protobuf.Struct'), json, path, false) };
  return fail(info.fullName, path, `expected JSON, got ${describe(json)}`);
}

function parseAny(info: TypeInfo, json: unknown, path: string): Props {
  if (!isPlainObject(json)) fail(info.fullName, path, `expected an object with "@type", got ${describe(json)}`);
  const keys = Object.keys(json);
  if (keys.length === 0) return {};
  const url = json['@type'];
  if (typeof url !== 'string' || !url.includes('/')) fail(info.fullName, path, 'an Any needs a "@type" type URL');
  const inner = tryLookupType(typeNameFromUrl(url));
  if (!inner) fail(info.fullName, joinPath(path, '@type'), `unknown @type ${JSON.stringify(url)}`);
  let msg: protobuf.Message;
  if (SPECIAL_TYPES.has(typeInfo(inner).fullName)) {
    for (const k of keys) if (k !== '@type' && k !== 'value') fail(info.fullName, joinPath(path, k), `unknown field ${JSON.stringify(k)}`);
    msg = parseMessage(inner, json['value'], joinPath(path, 'value'), false);
  } else {
    msg = parseMessage(inner, json, path, true);
  }
  return { [prop(info, 1)]: url, [prop(info, 2)]: inner.encode(msg).finish() };
}

// ---- toJson ------------------------------------------------------------------------

/** Canonical proto3 JSON of a message (or of its bytes) as Envoy's config_dump prints it. */
export function toJson(typeName: string, message: protobuf.Message | Uint8Array): Record<string, unknown> {
  const out = toJsonValue(typeName, message);
  if (!isPlainObject(out)) throw new CodecError(`${typeName}: JSON form is not an object; use toJsonValue`, '');
  return out;
}

/** Like toJson, for any type (Duration → "5s", wrappers → plain values). */
export function toJsonValue(typeName: string, message: protobuf.Message | Uint8Array): unknown {
  const type = lookupType(typeName);
  return printMessage(type, message instanceof Uint8Array ? type.decode(message) : message);
}
// ---- resources ---------------------------------------------------------------------

/** Strictly encodes an xDS resource body (proto3 JSON without "@type") to protobuf bytes. */
export function encodeResource(typeUrl: string, body: Record<string, unknown>): Uint8Array {
  const type = lookupType(typeNameFromUrl(typeUrl));
  return type.encode(parseMessage(type, body, '', false)).finish();
}

export function decodeResource(typeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  return toJson(typeNameFromUrl(typeUrl), bytes);
}
