// protoc-gen-validate rule checks for one value in canonical proto3 JSON (strings for
// int64 and durations, names for enums, base64 for bytes). The walker in validate.ts
// decides which values reach here and with which rules; messages follow PGV's wording.
import { isIP } from 'node:net';
import type protobuf from 'protobufjs';
import { base64Decode, durationNanos, parseDuration, parseTimestamp, timestampNanos, toBigInt } from './wkt.js';

export interface ValidationIssue {
  /** Dotted JSON path of the offending value (`virtualHosts[0].routes[1].route`). */
  path: string;
  /** The PGV rule, `string.min_len`, `oneof.required`, ... */
  rule: string;
  message: string;
}

/** The `(validate.rules)` FieldRules message as protobufjs parsed it from the .proto text. */
export type Rules = Record<string, unknown>;

export interface CheckContext {
  path: string;
  issues: ValidationIssue[];
  enumType?: protobuf.Enum | undefined;
}

const INT_KINDS = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG_KINDS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const FLOAT_KINDS = new Set(['float', 'double']);

export function asRecord(v: unknown): Rules | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rules) : undefined;
}

/** protobufjs gives a repeated option with one element as a bare value: `not_in: 6`. */
function asList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function show(v: unknown): string {
  return typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
}

/** Applies whichever rule group (string, uint32, duration, ...) `rules` holds to `value`. */
export function checkValue(rules: Rules, value: unknown, ctx: CheckContext): void {
  for (const [kind, body] of Object.entries(rules)) {
    const r = asRecord(body);
    if (!r) continue;
    if (kind === 'string' && typeof value === 'string') checkString(r, value, ctx);
    else if (kind === 'bytes' && typeof value === 'string') checkBytes(r, value, ctx);
    else if (kind === 'bool') checkConst(kind, r, value, ctx);
    else if (kind === 'enum') checkEnum(r, value, ctx);
    else if (INT_KINDS.has(kind) || FLOAT_KINDS.has(kind)) checkNumeric(kind, r, Number(value), Number, ctx);
    else if (LONG_KINDS.has(kind)) checkNumeric(kind, r, toBigInt(value, kind.startsWith('u') || kind === 'fixed64'), (x) => toBigInt(x, false), ctx);
    else if (kind === 'duration' && typeof value === 'string') {
      const d = parseDuration(value);
      if (d) checkNumeric(kind, r, durationNanos(d), secondsNanosRule, ctx);
    } else if (kind === 'timestamp' && typeof value === 'string') {
      const t = parseTimestamp(value);
      if (t) checkNumeric(kind, r, timestampNanos(t), secondsNanosRule, ctx);
    } else if (kind === 'any') checkAny(r, value, ctx);
  }
}

function issue(ctx: CheckContext, rule: string, message: string): void {
  ctx.issues.push({ path: ctx.path, rule, message });
}

/** A Duration/Timestamp literal in the rules (`{seconds: 1, nanos: 5}`, or `{}` for zero). */
function secondsNanosRule(v: unknown): bigint {
  const r = asRecord(v) ?? {};
  return toBigInt(r['seconds'] ?? 0, false) * 1_000_000_000n + toBigInt(r['nanos'] ?? 0, false);
}

function checkConst(kind: string, r: Rules, value: unknown, ctx: CheckContext): void {
  if ('const' in r && r['const'] !== value) issue(ctx, `${kind}.const`, `value must equal ${show(r['const'])}`);
}

/**
 * gt/gte/lt/lte/const/in/not_in over numbers, bigints (64-bit, nanos) alike. As in PGV,
 * a lower bound above the upper bound means "outside the range" rather than "empty".
 */
function checkNumeric<T extends number | bigint>(kind: string, r: Rules, v: T, conv: (x: unknown) => T, ctx: CheckContext): void {
  if (r['ignore_empty'] === true && (v === 0 || v === 0n)) return;
  if ('const' in r && v !== conv(r['const'])) issue(ctx, `${kind}.const`, `value must equal ${show(conv(r['const']))}`);
  const lowKey = 'gt' in r ? 'gt' : 'gte' in r ? 'gte' : undefined;
  const highKey = 'lt' in r ? 'lt' : 'lte' in r ? 'lte' : undefined;
  const low = lowKey ? conv(r[lowKey]) : undefined;
  const high = highKey ? conv(r[highKey]) : undefined;
  const aboveLow = low === undefined || (lowKey === 'gt' ? v > low : v >= low);
  const belowHigh = high === undefined || (highKey === 'lt' ? v < high : v <= high);
  if (low !== undefined && high !== undefined && high < low) {
    if (!aboveLow && !belowHigh) {
      issue(ctx, `${kind}.${lowKey}`, `value must be outside range ${highKey === 'lt' ? '[' : '('}${show(high)}, ${show(low)}${lowKey === 'gt' ? ']' : ')'}`);
    }
  } else {
    const words: Record<string, string> = { gt: 'greater than', gte: 'greater than or equal to', lt: 'less than', lte: 'less than or equal to' };
    if (!aboveLow && lowKey) issue(ctx, `${kind}.${lowKey}`, `value must be ${words[lowKey]} ${show(low)}`);
    if (!belowHigh && highKey) issue(ctx, `${kind}.${highKey}`, `value must be ${words[highKey]} ${show(high)}`);
  }
  const inList = asList(r['in']).map(conv);
  if (inList.length > 0 && !inList.includes(v)) issue(ctx, `${kind}.in`, `value must be in list [${inList.map(show).join(', ')}]`);
  const notIn = asList(r['not_in']).map(conv);
  if (notIn.includes(v)) issue(ctx, `${kind}.not_in`, `value must not be in list [${notIn.map(show).join(', ')}]`);
}

function checkEnum(r: Rules, value: unknown, ctx: CheckContext): void {
  const values = ctx.enumType?.values ?? {};
  const n = typeof value === 'string' ? values[value] : typeof value === 'number' ? value : undefined;
  if (n === undefined) return;
  if (r['defined_only'] === true && ctx.enumType && ctx.enumType.valuesById[n] === undefined) {
    issue(ctx, 'enum.defined_only', 'value must be one of the defined enum values');
  }
  checkNumeric('enum', { ...(('const' in r) ? { const: r['const'] } : {}), in: r['in'], not_in: r['not_in'] }, n, Number, ctx);
}

function checkAny(r: Rules, value: unknown, ctx: CheckContext): void {
  const url = asRecord(value)?.['@type'];
  if (typeof url !== 'string') return;
  const inList = asList(r['in']);
  if (inList.length > 0 && !inList.includes(url)) issue(ctx, 'any.in', `type URL must be in list [${inList.join(', ')}]`);
  if (asList(r['not_in']).includes(url)) issue(ctx, 'any.not_in', `type URL must not be in list [${asList(r['not_in']).join(', ')}]`);
}

const regexCache = new Map<string, RegExp>();
/** PGV patterns are RE2; the ones Envoy uses are valid JS too (unicode mode when it parses). */
function compile(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = new RegExp(pattern);
    }
    regexCache.set(pattern, re);
  }
  return re;
}

// From PGV's validate.proto: the strict forms follow RFC 7230, the loose form only
// forbids NUL, CR and LF.
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
// eslint-disable-next-line no-control-regex
const HEADER_VALUE_STRICT = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
// eslint-disable-next-line no-control-regex
const HEADER_LOOSE = /^[^\u0000\u000A\u000D]*$/;
const HOSTNAME_LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function isHostname(s: string): boolean {
  const host = s.endsWith('.') ? s.slice(0, -1) : s;
  return host.length > 0 && host.length <= 253 && host.split('.').every((l) => HOSTNAME_LABEL.test(l));
}

function checkString(r: Rules, v: string, ctx: CheckContext): void {
  if (r['ignore_empty'] === true && v === '') return;
  const runes = [...v].length;
  const bytes = Buffer.byteLength(v, 'utf8');
  const num = (k: string): number | undefined => (r[k] === undefined ? undefined : Number(r[k]));
  const check = (ok: boolean, rule: string, message: string): void => {
    if (!ok) issue(ctx, `string.${rule}`, message);
  };
  checkConst('string', r, v, ctx);
  const len = num('len'), minLen = num('min_len'), maxLen = num('max_len');
  const lenBytes = num('len_bytes'), minBytes = num('min_bytes'), maxBytes = num('max_bytes');
  if (len !== undefined) check(runes === len, 'len', `value length must be ${len} runes`);
  if (minLen !== undefined) check(runes >= minLen, 'min_len', `value length must be at least ${minLen} runes`);
  if (maxLen !== undefined) check(runes <= maxLen, 'max_len', `value length must be at most ${maxLen} runes`);
  if (lenBytes !== undefined) check(bytes === lenBytes, 'len_bytes', `value length must be ${lenBytes} bytes`);
  if (minBytes !== undefined) check(bytes >= minBytes, 'min_bytes', `value length must be at least ${minBytes} bytes`);
  if (maxBytes !== undefined) check(bytes <= maxBytes, 'max_bytes', `value length must be at most ${maxBytes} bytes`);
  const str = (k: string): string | undefined => (typeof r[k] === 'string' ? r[k] : undefined);
  const pattern = str('pattern'), prefix = str('prefix'), suffix = str('suffix');
  const contains = str('contains'), notContains = str('not_contains');
  if (pattern !== undefined) check(compile(pattern).test(v), 'pattern', `value does not match regex pattern ${JSON.stringify(pattern)}`);
  if (prefix !== undefined) check(v.startsWith(prefix), 'prefix', `value does not have prefix ${JSON.stringify(prefix)}`);
  if (suffix !== undefined) check(v.endsWith(suffix), 'suffix', `value does not have suffix ${JSON.stringify(suffix)}`);
  if (contains !== undefined) check(v.includes(contains), 'contains', `value does not contain substring ${JSON.stringify(contains)}`);
  if (notContains !== undefined) check(!v.includes(notContains), 'not_contains', `value contains substring ${JSON.stringify(notContains)}`);
  const inList = asList(r['in']);
  if (inList.length > 0) check(inList.includes(v), 'in', `value must be in list [${inList.join(', ')}]`);
  check(!asList(r['not_in']).includes(v), 'not_in', `value must not be in list [${asList(r['not_in']).join(', ')}]`);
  const wkr = r['well_known_regex'];
  if (wkr !== undefined) {
    const strict = r['strict'] !== false;
    const isName = wkr === 'HTTP_HEADER_NAME' || wkr === 1;
    const isValue = wkr === 'HTTP_HEADER_VALUE' || wkr === 2;
    const re = !strict ? HEADER_LOOSE : isName ? HEADER_NAME_STRICT : HEADER_VALUE_STRICT;
    if (isName || isValue) {
      check(re.test(v), 'well_known_regex', `value does not match regex pattern for HTTP header ${isName ? 'name' : 'value'}`);
    }
  }
  if (r['ip'] === true) check(isIP(v) !== 0, 'ip', 'value must be a valid IP address');
  if (r['ipv4'] === true) check(isIP(v) === 4, 'ipv4', 'value must be a valid IPv4 address');
  if (r['ipv6'] === true) check(isIP(v) === 6, 'ipv6', 'value must be a valid IPv6 address');
  if (r['hostname'] === true) check(isHostname(v), 'hostname', 'value must be a valid hostname');
  if (r['address'] === true) check(isIP(v) !== 0 || isHostname(v), 'address', 'value must be a valid hostname or IP address');
  if (r['uuid'] === true) check(UUID.test(v), 'uuid', 'value must be a valid UUID');
  if (r['uri'] === true) check(URL.canParse(v), 'uri', 'value must be a valid absolute URI');
}

function checkBytes(r: Rules, base64: string, ctx: CheckContext): void {
  const b = Buffer.from(base64Decode(base64) ?? new Uint8Array());
  if (r['ignore_empty'] === true && b.length === 0) return;
  const num = (k: string): number | undefined => (r[k] === undefined ? undefined : Number(r[k]));
  const len = num('len'), minLen = num('min_len'), maxLen = num('max_len');
  if (len !== undefined && b.length !== len) issue(ctx, 'bytes.len', `value length must be ${len} bytes`);
  if (minLen !== undefined && b.length < minLen) issue(ctx, 'bytes.min_len', `value length must be at least ${minLen} bytes`);
  if (maxLen !== undefined && b.length > maxLen) issue(ctx, 'bytes.max_len', `value length must be at most ${maxLen} bytes`);
  if (r['ipv4'] === true && b.length !== 4) issue(ctx, 'bytes.ipv4', 'value must be a valid IPv4 address');
  if (r['ipv6'] === true && b.length !== 16) issue(ctx, 'bytes.ipv6', 'value must be a valid IPv6 address');
  if (r['ip'] === true && b.length !== 4 && b.length !== 16) issue(ctx, 'bytes.ip', 'value must be a valid IP address');
}
