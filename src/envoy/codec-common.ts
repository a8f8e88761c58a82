// Pieces shared by the parsing (codec.ts) and printing (json-print.ts) halves of the codec.
import type { TypeInfo } from './type-info.js';
import { toBigInt } from './wkt.js';

export class CodecError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export type Props = Record<string, unknown>;

export const WRAPPER_TYPES = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((t) => `google.protobuf.${t}Value`),
);
/** Types whose JSON is not an object of their fields; inside an Any they sit under "value". */
export const SPECIAL_TYPES = new Set([
  ...WRAPPER_TYPES,
  'google.protobuf.Any', 'google.protobuf.Duration', 'google.protobuf.Timestamp', 'google.protobuf.FieldMask',
  'google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue',
]);

export function isWrapperType(fullName: string): boolean {
  return WRAPPER_TYPES.has(fullName);
}

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
export function joinPath(path: string, key: string): string {
  if (IDENT_RE.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * A JSON path built as a linked list and rendered (`a.b[2]["x-y"]`) only when an error or
 * issue needs it: nearly every parse and validation finds none, and joining a path string
 * per field up front (a regex test and a new string each) was a large share of both. A
 * string is an already rendered prefix (fromJson's `path` argument, '' at the root).
 */
export type Path = string | { readonly parent: Path; readonly key: string | number };

export function at(parent: Path, key: string | number): Path {
  return { parent, key };
}

export function renderPath(p: Path): string {
  if (typeof p === 'string') return p;
  const base = renderPath(p.parent);
  return typeof p.key === 'number' ? `${base}[${p.key}]` : joinPath(base, p.key);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Field `id`'s property name on a well-known type (protobufjs's bundled WKTs mix cases: `type_url`). */
export function prop(info: TypeInfo, id: number): string {
  const fi = info.byId.get(id);
  if (!fi) throw new Error(`${info.fullName} has no field ${id}`);
  return fi.prop;
}

/** The proto3 zero value of a scalar (0, '', false, empty bytes, a zero Long). */
export function isDefaultScalar(v: unknown): boolean {
  if (v === 0 || v === '' || v === false) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v) return toBigInt(v, false) === 0n;
  return false;
}
