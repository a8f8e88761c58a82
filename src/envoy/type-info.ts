// Per-type field tables for the codec and the validator, built once per protobuf.Type.
// Scanning type.fieldsArray per JSON key on every encode would be quadratic-ish on large
// resources; a Map per type keeps fromJson linear in the size of the input.
import protobuf from 'protobufjs';

export type FieldKind = 'scalar' | 'enum' | 'message';

export interface FieldInfo {
  field: protobuf.Field;
  /** Property name on protobufjs messages (its own camelCase: `consecutive_5xx`). */
  prop: string;
  /** protoc's json_name (`consecutive5xx`): what canonical JSON prints. */
  jsonName: string;
  /** The name as written in the .proto (`consecutive_5xx`), also accepted as input. */
  protoName: string;
  kind: FieldKind;
  /** Scalar type name for scalars (and for map keys see keyType). */
  scalarType: string;
  messageType: protobuf.Type | undefined;
  enumType: protobuf.Enum | undefined;
  repeated: boolean;
  map: boolean;
  keyType: string | undefined;
  /** A real (declared) oneof; undefined for the synthetic oneof of a proto3 `optional`. */
  oneof: protobuf.OneOf | undefined;
  /** True when an explicit zero value is distinguishable from "unset". */
  presence: boolean;
  /** messageType's TypeInfo once messageInfo() has looked it up (saves a WeakMap get per message parsed). */
  messageTypeInfo: TypeInfo | undefined;
}

export interface TypeInfo {
  type: protobuf.Type;
  fullName: string;
  /** Declaration order. */
  fields: FieldInfo[];
  byJsonKey: Map<string, FieldInfo>;
  byId: Map<number, FieldInfo>;
  /** Real oneofs only. */
  oneofs: protobuf.OneOf[];
  /** In google.protobuf: the only types that can have a JSON form of their own. */
  wellKnown: boolean;
  /**
   * A new message of this type with no fields set, not even the empty arrays and objects
   * type.create gives every repeated and map field (unset, they read the prototype's
   * frozen empty defaults). A plain constructor per type, so V8 gives the objects room for
   * fields in-object and property stores stay cheap.
   */
  blank: () => Record<string, unknown>;
}

/**
 * protobufjs (keepCase false) keeps the .proto name's underscores before digits
 * (`consecutive_5xx`, `proxy_100Continue`), so the original snake_case name is recoverable by
 * lowering each capital back to `_x`: Envoy field names are all lower_snake_case.
 */
function protoNameOf(prop: string): string {
  return prop.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** protoc's ToJsonName: drop each '_' and upper-case the next character. */
export function jsonNameOf(protoName: string): string {
  let out = '';
  let upper = false;
  for (const c of protoName) {
    if (c === '_') {
      upper = true;
    } else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

export function isSyntheticOneof(oneof: protobuf.OneOf): boolean {
  const only = oneof.fieldsArray.length === 1 ? oneof.fieldsArray[0] : undefined;
  return only !== undefined && only.options?.['proto3_optional'] === true;
}

const cache = new WeakMap<protobuf.Type, TypeInfo>();

export function typeInfo(type: protobuf.Type): TypeInfo {
  let info = cache.get(type);
  if (info) return info;
  const fields: FieldInfo[] = [];
  const byJsonKey = new Map<string, FieldInfo>();
  const byId = new Map<number, FieldInfo>();
  for (const field of type.fieldsArray) {
    // Extension fields (declared by `extend`, e.g. FieldOptions' `.validate.rules`) are not
    // part of the message's JSON.
    if (field.name.startsWith('.')) continue;
    field.resolve();
    const resolved = field.resolvedType;
    const messageType = resolved instanceof protobuf.Type ? resolved : undefined;
    const enumType = resolved instanceof protobuf.Enum ? resolved : undefined;
    const isMap = field instanceof protobuf.MapField;
    const partOf = field.partOf ?? undefined;
    const oneof = partOf && !isSyntheticOneof(partOf) ? partOf : undefined;
    const protoName = protoNameOf(field.name);
    const fi: FieldInfo = {
      field,
      prop: field.name,
      jsonName: jsonNameOf(protoName),
      protoName,
      kind: messageType ? 'message' : enumType ? 'enum' : 'scalar',
      scalarType: field.type,
      messageType,
      enumType,
      repeated: field.repeated,
      map: isMap,
      keyType: field instanceof protobuf.MapField ? field.keyType : undefined,
      oneof,
      presence: !field.repeated && !isMap && (messageType !== undefined || partOf !== undefined),
      messageTypeInfo: undefined,
    };
    fields.push(fi);
    byId.set(field.id, fi);
    for (const key of [fi.jsonName, fi.protoName, fi.prop]) if (!byJsonKey.has(key)) byJsonKey.set(key, fi);
  }
  const oneofs = type.oneofsArray.filter((o) => !isSyntheticOneof(o));
  const fullName = type.fullName.replace(/^\./, '');
  info = { type, fullName, fields, byJsonKey, byId, oneofs, wellKnown: fullName.startsWith('google.protobuf.'), blank: blankMaker(type) };
  cache.set(type, info);
  return info;
}

function blankMaker(type: protobuf.Type): () => Record<string, unknown> {
  const Blank = function Blank(this: Record<string, unknown>) {} as unknown as { new (): Record<string, unknown>; prototype: object };
  Blank.prototype = type.ctor.prototype;
  return () => new Blank();
}

/** The TypeInfo of a message field's type; undefined for scalar and enum fields. */
export function messageInfo(fi: FieldInfo): TypeInfo | undefined {
  if (fi.messageTypeInfo === undefined && fi.messageType) fi.messageTypeInfo = typeInfo(fi.messageType);
  return fi.messageTypeInfo;
}
