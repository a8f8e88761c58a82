// Strict proto3 JSON → protobufjs messages (the fromJson half of codec.ts). This runs for
// every field of every resource the server sends, so the common case is kept cheap: paths
// are rendered only for an error, duplicate-name bookkeeping starts only when a field is
// spelled by an alias, and in-range numbers skip the BigInt round trip.
import protobuf from 'protobufjs';
import { lookupType, tryLookupType, typeNameFromUrl } from './protos.js';
import { messageInfo, typeInfo, type FieldInfo, type TypeInfo } from './type-info.js';
import { fieldMaskFromJson, parseDuration, parseTimestamp, toBigInt, toLong, type SecondsNanos } from './wkt.js';
import { at, isDefaultScalar, isPlainObject, prop, SPECIAL_TYPES, WRAPPER_TYPES, type Path, type Props } from './codec-common.js';
import { describe, fail, longOfSafeInteger, parseEnum, parseScalar } from './json-scalars.js';

/**
 * The message an Any parsed here was packed from. Validation walks Any payloads (Envoy
 * validates typed_config when it unpacks it); keeping the parsed message saves decoding the
 * bytes again. Keyed by the Any and tied to its bytes, so a reassigned `value` is not trusted.
 */
const anyPayloads = new WeakMap<object, { bytes: Uint8Array; message: protobuf.Message }>();

export function parsedAnyPayload(any: object, bytes: Uint8Array): protobuf.Message | undefined {
  const p = anyPayloads.get(any);
  return p && p.bytes === bytes ? p.message : undefined;
}

/** Parses `json` as a `type` message; `path` is where it sits (for errors). */
export function parseMessage(type: protobuf.Type, json: unknown, path: Path): protobuf.Message {
  return parseInfo(typeInfo(type), json, path, false);
}

function parseInfo(info: TypeInfo, json: unknown, path: Path, skipAtType: boolean): protobuf.Message {
  if (info.wellKnown && SPECIAL_TYPES.has(info.fullName)) {
    return info.fullName === 'google.protobuf.Any' ? parseAny(info, json, path) : parseSpecial(info, json, path);
  }
  if (!isPlainObject(json)) fail(info.fullName, path, `expected an object, got ${describe(json)}`);
  // Fields go straight onto the message. Not type.create(): its constructor gives every
  // repeated and map field its own empty array or object, most of a big resource's
  // allocations; unset, they read the prototype's (frozen) empty defaults instead, which
  // is all the encoder and the printer look at.
  const out = blank(info);
  const keys = Object.keys(json);
  // Only an alias spelling (snake_case, protobufjs's own name) can name a field twice.
  let seen: Set<FieldInfo> | undefined;
  let oneofSet: Map<protobuf.OneOf, string> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = json[key];
    // Absent, as JSON.stringify would make it: lets callers write `{ x: cond ? v : undefined }`.
    if (value === undefined || (skipAtType && key === '@type')) continue;
    const fi = info.byJsonKey.get(key);
    if (!fi) fail(info.fullName, at(path, key), `unknown field ${JSON.stringify(key)}`);
    if (seen === undefined && key !== fi.jsonName) seen = fieldsBefore(info, json, keys, i, skipAtType);
    if (seen !== undefined) {
      if (seen.has(fi)) fail(info.fullName, at(path, key), `field ${fi.jsonName} is given twice`);
      seen.add(fi);
    }
    // null means "unset" for every field, except a Value, where it is the JSON null.
    if (value === null && (fi.repeated || fi.map || fi.messageType?.fullName !== '.google.protobuf.Value')) continue;
    if (fi.oneof) {
      oneofSet ??= new Map();
      const other = oneofSet.get(fi.oneof);
      if (other !== undefined) fail(info.fullName, at(path, key), `oneof ${fi.oneof.name} has both ${other} and ${fi.jsonName} set`);
      oneofSet.set(fi.oneof, fi.jsonName);
    }
    const parsed = parseField(info, fi, value, at(path, key));
    if (parsed !== undefined) out[fi.prop] = parsed;
  }
  return message(out);
}

/** The fields named by keys[0..end): all by their json name, so all distinct. */
function fieldsBefore(info: TypeInfo, json: Props, keys: string[], end: number, skipAtType: boolean): Set<FieldInfo> {
  const seen = new Set<FieldInfo>();
  for (let i = 0; i < end; i++) {
    const key = keys[i] as string;
    if (json[key] === undefined || (skipAtType && key === '@type')) continue;
    const fi = info.byJsonKey.get(key);
    if (fi) seen.add(fi);
  }
  return seen;
}

function parseField(info: TypeInfo, fi: FieldInfo, value: unknown, path: Path): unknown {
  if (fi.map) {
    if (!isPlainObject(value)) fail(info.fullName, path, `expected an object (map), got ${describe(value)}`);
    const out: Props = {};
    let any = false;
    for (const k of Object.keys(value)) {
      const kpath = at(path, k);
      out[parseMapKey(info, fi, k, kpath)] = parseElement(info, fi, value[k], kpath);
      any = true;
    }
    return any ? out : undefined;
  }
  if (fi.repeated) {
    if (!Array.isArray(value)) fail(info.fullName, path, `expected an array, got ${describe(value)}`);
    if (value.length === 0) return undefined;
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(parseElement(info, fi, value[i], at(path, i)));
    return out;
  }
  const v = parseSingle(info, fi, value, path);
  // Implicit-presence scalars at their default are not serialized in proto3; dropping them
  // keeps the encoding canonical (and byte-identical to what protoc-generated code writes).
  return !fi.presence && isDefaultScalar(v) ? undefined : v;
}

function parseElement(info: TypeInfo, fi: FieldInfo, v: unknown, path: Path): unknown {
  if (v === null && fi.messageType?.fullName !== '.google.protobuf.Value') fail(info.fullName, path, 'null is not allowed here');
  return parseSingle(info, fi, v, path);
}

function parseSingle(info: TypeInfo, fi: FieldInfo, v: unknown, path: Path): unknown {
  const mi = messageInfo(fi);
  if (mi) return parseInfo(mi, v, path, false);
  if (fi.enumType) return parseEnum(fi.enumType, v, info.fullName, path);
  return parseScalar(fi.scalarType, v, info.fullName, path);
}

function parseMapKey(info: TypeInfo, fi: FieldInfo, key: string, path: Path): string {
  const kt = fi.keyType ?? 'string';
  if (kt === 'string') return key;
  if (kt === 'bool') {
    // protobufjs encodes map keys from object keys, so "false" would be written as true.
    fail(info.fullName, path, 'bool map keys are not supported');
  }
  const parsed = parseScalar(kt, key, info.fullName, path);
  return String(typeof parsed === 'number' ? parsed : toBigInt(parsed, false));
}

/** A message with no fields set; fields are then set directly (not through type.create's copy). */
function blank(info: TypeInfo): Props {
  return info.blank();
}

function message(props: Props): protobuf.Message {
  return props as unknown as protobuf.Message;
}

/** `info` with field `id` set to `v` (nothing set when v is undefined). */
function withField(info: TypeInfo, id: number, v: unknown): protobuf.Message {
  const m = blank(info);
  if (v !== undefined) m[prop(info, id)] = v;
  return message(m);
}

const MAX_SAFE_SECONDS = BigInt(Number.MAX_SAFE_INTEGER);

function secondsNanos(info: TypeInfo, sn: SecondsNanos): protobuf.Message {
  const m = blank(info);
  const s = sn.seconds;
  if (s !== 0n) m[prop(info, 1)] = s <= MAX_SAFE_SECONDS && s >= -MAX_SAFE_SECONDS ? longOfSafeInteger(Number(s), false) : toLong(s, false);
  if (sn.nanos !== 0) m[prop(info, 2)] = sn.nanos;
  return message(m);
}

/** The well-known types with a JSON form of their own (Any aside). */
function parseSpecial(info: TypeInfo, json: unknown, path: Path): protobuf.Message {
  const name = info.fullName;
  switch (name) {
    case 'google.protobuf.Duration': {
      const d = typeof json === 'string' ? parseDuration(json) : undefined;
      if (!d) fail(name, path, `expected a duration like "1.5s", got ${describe(json)}`);
      return secondsNanos(info, d);
    }
    case 'google.protobuf.Timestamp': {
      const t = typeof json === 'string' ? parseTimestamp(json) : undefined;
      if (!t) fail(name, path, `expected an RFC 3339 timestamp, got ${describe(json)}`);
      return secondsNanos(info, t);
    }
    case 'google.protobuf.FieldMask': {
      const paths = typeof json === 'string' ? fieldMaskFromJson(json) : undefined;
      if (!paths) fail(name, path, `expected a field mask like "a.b,c", got ${describe(json)}`);
      return withField(info, 1, paths.length > 0 ? paths : undefined);
    }
    case 'google.protobuf.Struct': {
      if (!isPlainObject(json)) fail(name, path, `expected an object, got ${describe(json)}`);
      const fields: Props = {};
      for (const k of Object.keys(json)) fields[k] = parseValue(json[k], at(path, k));
      return withField(info, 1, Object.keys(fields).length > 0 ? fields : undefined);
    }
    case 'google.protobuf.ListValue': {
      if (!Array.isArray(json)) fail(name, path, `expected an array, got ${describe(json)}`);
      const values = json.map((v: unknown, i) => parseValue(v, at(path, i)));
      return withField(info, 1, values.length > 0 ? values : undefined);
    }
    case 'google.protobuf.Value':
      return parseValue(json, path);
    default: {
      // A wrapper: the plain JSON of its `value` field.
      const fi = info.byId.get(1);
      if (!fi || !WRAPPER_TYPES.has(name)) throw new Error(`no JSON mapping for ${name}`);
      const v = json === null ? fail(name, path, 'null is not a wrapper value') : parseScalar(fi.scalarType, json, name, path);
      return withField(info, 1, isDefaultScalar(v) ? undefined : v);
    }
  }
}

function parseValue(json: unknown, path: Path): protobuf.Message {
  const info = typeInfo(lookupType('google.protobuf.Value'));
  if (json === null) return withField(info, 1, 0);
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) fail(info.fullName, path, 'a Value number must be finite');
    return withField(info, 2, json);
  }
  if (typeof json === 'string') return withField(info, 3, json);
  if (typeof json === 'boolean') return withField(info, 4, json);
  if (Array.isArray(json)) return withField(info, 6, parseMessage(lookupType('google.protobuf.ListValue'), json, path));
  if (isPlainObject(json)) return withField(info, 5, parseMessage(lookupType('google.protobuf.Struct'), json, path));
  return fail(info.fullName, path, `expected JSON, got ${describe(json)}`);
}

/** Payload types by type URL, as looked up before (only URLs that named a type). */
const anyTypes = new Map<string, TypeInfo>();
const ANY_TYPES_MAX = 10_000;

function anyPayloadType(url: string): TypeInfo | undefined {
  let inner = anyTypes.get(url);
  if (!inner) {
    const type = tryLookupType(typeNameFromUrl(url));
    if (!type) return undefined;
    inner = typeInfo(type);
    if (anyTypes.size >= ANY_TYPES_MAX) anyTypes.clear();
    anyTypes.set(url, inner);
  }
  return inner;
}

function parseAny(info: TypeInfo, json: unknown, path: Path): protobuf.Message {
  if (!isPlainObject(json)) fail(info.fullName, path, `expected an object with "@type", got ${describe(json)}`);
  const keys = Object.keys(json);
  if (keys.length === 0) return message(blank(info));
  const url = json['@type'];
  if (typeof url !== 'string' || !url.includes('/')) fail(info.fullName, path, 'an Any needs a "@type" type URL');
  const inner = anyPayloadType(url);
  if (!inner) fail(info.fullName, at(path, '@type'), `unknown @type ${JSON.stringify(url)}`);
  let payload: protobuf.Message;
  if (inner.wellKnown && SPECIAL_TYPES.has(inner.fullName)) {
    for (const k of keys) if (k !== '@type' && k !== 'value') fail(info.fullName, at(path, k), `unknown field ${JSON.stringify(k)}`);
    payload = parseInfo(inner, json['value'], at(path, 'value'), false);
  } else {
    payload = parseInfo(inner, json, path, true);
  }
  const bytes = inner.type.encode(payload).finish();
  const any = blank(info);
  any[prop(info, 1)] = url;
  any[prop(info, 2)] = bytes;
  anyPayloads.set(any, { bytes, message: payload });
  return message(any);
}
