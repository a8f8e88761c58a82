// proto3 JSON scalars → protobufjs field values: strings, bools, base64 bytes, numbers
// (64-bit ones as Longs) and enums, with the codec's errors. In-range numbers, the common
// case, skip the BigInt round trip; error paths are rendered only when thrown.
import protobuf from 'protobufjs';
import { CodecError, renderPath, type Path } from './codec-common.js';
import { base64Decode, toLong } from './wkt.js';

export function fail(typeName: string, path: Path, problem: string): never {
  const p = renderPath(path);
  throw new CodecError(`${typeName}: ${problem}${p ? ` at ${p}` : ''}`, p);
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function wrong(typeName: string, path: Path, what: string, v: unknown): never {
  return fail(typeName, path, `expected ${what}, got ${describe(v)}`);
}

const INT32: readonly [number, number] = [-0x80000000, 0x7fffffff];
const UINT32: readonly [number, number] = [0, 0xffffffff];
const INT64: readonly [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const UINT64: readonly [bigint, bigint] = [0n, 2n ** 64n - 1n];
const FLOAT_MAX = 3.4028234663852886e38;
const TWO_32 = 4294967296;
/** Decimal strings short enough to be exact as a double (and so as an int64 fast path). */
const SHORT_INT_RE = /^-?\d{1,15}$/;

function parseInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

/** A safe integer as a Long: the same bits toLong(BigInt(n)) gives, without the BigInts. */
export function longOfSafeInteger(n: number, unsigned: boolean): protobuf.Long {
  return new protobuf.util.Long(n | 0, Math.floor(n / TWO_32) | 0, unsigned);
}

function parseInt64(scalarType: string, v: unknown, typeName: string, path: Path): protobuf.Long {
  const unsigned = scalarType === 'uint64' || scalarType === 'fixed64';
  const n = typeof v === 'number' ? v : typeof v === 'string' && SHORT_INT_RE.test(v) ? Number(v) : undefined;
  if (n !== undefined && Number.isSafeInteger(n) && (!unsigned || n >= 0)) return longOfSafeInteger(n, unsigned);
  const [lo, hi] = unsigned ? UINT64 : INT64;
  const b = parseInteger(v);
  if (b === undefined || b < lo || b > hi) return wrong(typeName, path, `a ${scalarType} (number or decimal string)`, v);
  return toLong(b, unsigned);
}

function parseInt32(scalarType: string, v: unknown, typeName: string, path: Path): number {
  const [lo, hi] = scalarType === 'uint32' || scalarType === 'fixed32' ? UINT32 : INT32;
  // `+ 0` turns -0 into 0, as the BigInt round trip below does.
  if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v + 0;
  const b = parseInteger(v);
  if (b === undefined || b < BigInt(lo) || b > BigInt(hi)) return wrong(typeName, path, `a ${scalarType}`, v);
  return Number(b);
}

export function parseScalar(scalarType: string, v: unknown, typeName: string, path: Path): unknown {
  switch (scalarType) {
    case 'string':
      return typeof v === 'string' ? v : wrong(typeName, path, 'a string', v);
    case 'bool':
      return typeof v === 'boolean' ? v : wrong(typeName, path, 'a boolean', v);
    case 'bytes': {
      const bytes = typeof v === 'string' ? base64Decode(v) : undefined;
      return bytes ?? wrong(typeName, path, 'base64 bytes', v);
    }
    case 'double':
    case 'float': {
      let n: number | undefined;
      if (typeof v === 'number') n = v;
      else if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') n = Number(v);
      else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) n = Number(v);
      if (n === undefined) return wrong(typeName, path, 'a number', v);
      if (scalarType === 'float' && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX) return wrong(typeName, path, 'a float32 in range', v);
      return n;
    }
    case 'int32': case 'sint32': case 'sfixed32': case 'uint32': case 'fixed32':
      return parseInt32(scalarType, v, typeName, path);
    case 'int64': case 'sint64': case 'sfixed64': case 'uint64': case 'fixed64':
      return parseInt64(scalarType, v, typeName, path);
    default:
      throw new Error(`unsupported scalar type ${scalarType}`);
  }
}

export function parseEnum(enumType: protobuf.Enum, v: unknown, typeName: string, path: Path): number {
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

