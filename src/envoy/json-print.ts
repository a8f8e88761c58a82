// Canonical proto3 JSON printing of protobufjs messages (the toJson half of codec.ts).
import protobuf from 'protobufjs';
import { lookupType, tryLookupType, typeNameFromUrl } from './protos.js';
import { typeInfo, type FieldInfo, type TypeInfo } from './type-info.js';
import { isDefaultScalar, isPlainObject, prop, SPECIAL_TYPES, type Props } from './codec-common.js';
import { base64Encode, fieldMaskToJson, formatDuration, formatFloat32, formatTimestamp, toBigInt, type SecondsNanos } from './wkt.js';

function own(msg: object, key: string): unknown {
  return Object.hasOwn(msg, key) ? (msg as Props)[key] : undefined;
}

export function printMessage(type: protobuf.Type, msg: object): unknown {
  const info = typeInfo(type);
  if (SPECIAL_TYPES.has(info.fullName)) return printSpecial(info, msg);
  const out: Props = {};
  for (const fi of info.fields) {
    // Own properties only: protobufjs puts field defaults on the prototype, so reading an
    // unset oneof member would otherwise look like "set to 0".
    const v = own(msg, fi.prop);
    if (v === undefined || v === null) continue;
    if (fi.map) {
      const keys = Object.keys(v);
      if (keys.length === 0) continue;
      const m: Props = {};
      for (const k of keys) m[printMapKey(fi, k)] = printSingle(fi, (v as Props)[k]);
      out[fi.jsonName] = m;
    } else if (fi.repeated) {
      if (!Array.isArray(v) || v.length === 0) continue;
      out[fi.jsonName] = v.map((e: unknown) => printSingle(fi, e));
    } else if (fi.presence || !isDefaultScalar(v)) {
      out[fi.jsonName] = printSingle(fi, v);
    }
  }
  return out;
}

export function printMapKey(fi: FieldInfo, key: string): string {
  const kt = fi.keyType ?? 'string';
  // protobufjs keys decoded 64-bit map keys by an 8-char binary hash of the Long.
  if (/64$/.test(kt) && !/^-?\d+$/.test(key)) {
    const unsigned = kt === 'uint64' || kt === 'fixed64';
    return toBigInt(protobuf.util.longFromHash(key, unsigned), unsigned).toString();
  }
  return key;
}

/** The canonical JSON of one value (an item, for repeated and map fields) of field `fi`. */
export function printSingle(fi: FieldInfo, v: unknown): unknown {
  if (fi.messageType) return printMessage(fi.messageType, v as object);
  if (fi.enumType) return typeof v === 'number' ? (fi.enumType.valuesById[v] ?? v) : v;
  return printScalar(fi.scalarType, v);
}

function printScalar(scalarType: string, v: unknown): unknown {
  switch (scalarType) {
    case 'int64': case 'sint64': case 'sfixed64':
      return toBigInt(v, false).toString();
    case 'uint64': case 'fixed64':
      return toBigInt(v, true).toString();
    case 'float':
    case 'double':
      if (typeof v !== 'number') return v;
      if (!Number.isFinite(v)) return String(v);
      return scalarType === 'float' ? formatFloat32(v) : v;
    case 'bytes':
      return v instanceof Uint8Array ? base64Encode(v) : v;
    default:
      return v;
  }
}

function secondsNanosOf(info: TypeInfo, msg: object): SecondsNanos {
  const nanos = own(msg, prop(info, 2));
  return { seconds: toBigInt(own(msg, prop(info, 1)) ?? 0, false), nanos: typeof nanos === 'number' ? nanos : 0 };
}

function printSpecial(info: TypeInfo, msg: object): unknown {
  const name = info.fullName;
  switch (name) {
    case 'google.protobuf.Any':
      return printAny(info, msg);
    case 'google.protobuf.Duration': {
      const d = secondsNanosOf(info, msg);
      return formatDuration(d.seconds, d.nanos);
    }
    case 'google.protobuf.Timestamp': {
      const t = secondsNanosOf(info, msg);
      return formatTimestamp(t.seconds, t.nanos);
    }
    case 'google.protobuf.FieldMask': {
      const paths = own(msg, prop(info, 1));
      return fieldMaskToJson(Array.isArray(paths) ? paths.map(String) : []);
    }
    case 'google.protobuf.Struct': {
      const fields = own(msg, prop(info, 1));
      const out: Props = {};
      const valueType = lookupType('google.protobuf.Value');
      if (isPlainObject(fields)) for (const k of Object.keys(fields)) out[k] = printMessage(valueType, fields[k] as object);
      return out;
    }
    case 'google.protobuf.ListValue': {
      const values = own(msg, prop(info, 1));
      const valueType = lookupType('google.protobuf.Value');
      return Array.isArray(values) ? values.map((v: unknown) => printMessage(valueType, v as object)) : [];
    }
    case 'google.protobuf.Value': {
      for (const fi of info.fields) {
        const v = own(msg, fi.prop);
        if (v === undefined || v === null) continue;
        if (fi.enumType) return null;
        return fi.messageType ? printMessage(fi.messageType, v as object) : v;
      }
      return null;
    }
    default: {
      const fi = info.byId.get(1);
      if (!fi) throw new Error(`no JSON mapping for ${name}`);
      const v = own(msg, fi.prop) ?? fi.field.typeDefault;
      return printScalar(fi.scalarType, v);
    }
  }
}

function printAny(info: TypeInfo, msg: object): unknown {
  const url = own(msg, prop(info, 1));
  const raw = own(msg, prop(info, 2));
  const bytes = raw instanceof Uint8Array ? raw : new Uint8Array();
  if (typeof url !== 'string' || url === '') return {};
  const inner = tryLookupType(typeNameFromUrl(url));
  // Not in our Root: keep the payload rather than dropping it (fromJson will refuse it).
  if (!inner) return { '@type': url, value: base64Encode(bytes) };
  const body = printMessage(inner, inner.decode(bytes));
  if (SPECIAL_TYPES.has(typeInfo(inner).fullName)) return { '@type': url, value: body };
  return { '@type': url, ...(body as Props) };
}
