// String forms of the well-known types and scalars in proto3 JSON
// (https://protobuf.dev/programming-guides/json/): Duration, Timestamp, FieldMask, bytes,
// 64-bit integers and float32. Pure helpers shared by the codec and the validator.
import protobuf from 'protobufjs';

/** ±10000 years, the range protobuf allows for Duration. */
const MAX_DURATION_SECONDS = 315_576_000_000n;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;
const NANOS_PER_SECOND = 1_000_000_000n;

export interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

/** Fraction digits the way protobuf prints them: none, 3, 6 or 9. */
function formatNanos(nanos: number): string {
  if (nanos === 0) return '';
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, '0')}`;
  if (nanos % 1_000 === 0) return `.${String(nanos / 1_000).padStart(6, '0')}`;
  return `.${String(nanos).padStart(9, '0')}`;
}

function parseNanos(frac: string | undefined): number {
  return frac ? Number(frac.padEnd(9, '0')) : 0;
}

const DURATION_RE = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/** "1.5s" → {1, 500000000}; "-0.5s" → {0, -500000000}. undefined when malformed or out of range. */
export function parseDuration(text: string): SecondsNanos | undefined {
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  const abs = BigInt(m[2] ?? '0');
  if (abs > MAX_DURATION_SECONDS) return undefined;
  const nanos = parseNanos(m[3]);
  return m[1] ? { seconds: -abs, nanos: nanos === 0 ? 0 : -nanos } : { seconds: abs, nanos };
}

export function formatDuration(seconds: bigint, nanos: number): string {
  const negative = seconds < 0n || nanos < 0;
  const absSeconds = seconds < 0n ? -seconds : seconds;
  return `${negative ? '-' : ''}${absSeconds}${formatNanos(Math.abs(nanos))}s`;
}

export function durationNanos(d: SecondsNanos): bigint {
  return d.seconds * NANOS_PER_SECOND + BigInt(d.nanos);
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 ("1972-01-01T10:00:20.021Z", offsets allowed) → seconds/nanos since the epoch. */
export function parseTimestamp(text: string): SecondsNanos | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  // Reject 2021-02-30 and friends, which Date would silently roll over.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  let seconds = BigInt(date.getTime() / 1000);
  if (!m[8]) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60;
    seconds -= BigInt(m[9] === '-' ? -offset : offset);
  }
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) return undefined;
  return { seconds, nanos: parseNanos(m[7]) };
}

export function formatTimestamp(seconds: bigint, nanos: number): string {
  const iso = new Date(Number(seconds) * 1000).toISOString(); // 2020-01-01T00:00:00.000Z
  return `${iso.slice(0, 19)}${formatNanos(nanos)}Z`;
}

export function timestampNanos(t: SecondsNanos): bigint {
  return t.seconds * NANOS_PER_SECOND + BigInt(t.nanos);
}

/** FieldMask paths are snake_case inside, lowerCamelCase joined by ',' in JSON. */
export function fieldMaskToJson(paths: readonly string[]): string {
  return paths.map((p) => p.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())).join(',');
}

export function fieldMaskFromJson(text: string): string[] | undefined {
  if (text === '') return [];
  const paths = text.split(',');
  if (paths.some((p) => p.includes('_') || p === '')) return undefined;
  return paths.map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}

// Standard or URL-safe alphabet, padding optional: parsers must accept both.
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function base64Decode(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

export function isLongLike(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

/** A 64-bit value in any form protobufjs produces (Long, number, decimal string) as a bigint. */
export function toBigInt(v: unknown, unsigned: boolean): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string') return BigInt(v);
  if (isLongLike(v)) {
    const high = unsigned ? v.high >>> 0 : v.high | 0;
    return (BigInt(high) << 32n) + BigInt(v.low >>> 0);
  }
  return 0n;
}

export function toLong(v: bigint, unsigned: boolean): protobuf.Long {
  const low = Number(BigInt.asIntN(32, v));
  const high = Number(BigInt.asIntN(32, v >> 32n));
  return new protobuf.util.Long(low, high, unsigned);
}

/** float32 values decode as the nearest double; print the shortest text that maps back. */
export function formatFloat32(v: number): number {
  const f = Math.fround(v);
  for (let p = 1; p < 10; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}
