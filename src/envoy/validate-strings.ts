// PGV's string and bytes rules, compiled once per rule set into a closure: the rule
// literals are read, converted and turned into messages up front, so checking a value
// (every name, domain, header... of every resource) allocates nothing unless it fails.
import { isIP } from 'node:net';
import type { CheckContext, Rules } from './validate-rules.js';
import { base64Decode } from './wkt.js';

export type TypedChecker<T> = (value: T, ctx: CheckContext) => void;

function issue(ctx: CheckContext, rule: string, message: string): void {
  ctx.issues.push({ path: ctx.path, rule, message });
}

/** protobufjs gives a repeated option with one element as a bare value: `not_in: 6`. */
export function asList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function show(v: unknown): string {
  return typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
}

function num(r: Rules, k: string): number | undefined {
  return r[k] === undefined ? undefined : Number(r[k]);
}

function str(r: Rules, k: string): string | undefined {
  const v = r[k];
  return typeof v === 'string' ? v : undefined;
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

/** Code points, as `[...s].length` counts them (a lone surrogate is one), without the array. */
function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** One `(ok, rule, message)` test of a string, in PGV's order. */
type StringTest = readonly [test: (v: string) => boolean, rule: string, message: string];

/** The string rules in `r` as one checker; issues come in the order PGV reports them. */
export function compileString(r: Rules): TypedChecker<string> {
  const ignoreEmpty = r['ignore_empty'] === true;
  const tests: StringTest[] = [];
  const add = (test: (v: string) => boolean, rule: string, message: string): void => {
    tests.push([test, `string.${rule}`, message]);
  };
  if ('const' in r) {
    const c = r['const'];
    add((v) => c === v, 'const', `value must equal ${show(c)}`);
  }
  const len = num(r, 'len'), minLen = num(r, 'min_len'), maxLen = num(r, 'max_len');
  if (len !== undefined) add((v) => runeCount(v) === len, 'len', `value length must be ${len} runes`);
  if (minLen !== undefined) add((v) => runeCount(v) >= minLen, 'min_len', `value length must be at least ${minLen} runes`);
  if (maxLen !== undefined) add((v) => runeCount(v) <= maxLen, 'max_len', `value length must be at most ${maxLen} runes`);
  const lenBytes = num(r, 'len_bytes'), minBytes = num(r, 'min_bytes'), maxBytes = num(r, 'max_bytes');
  const bytes = (v: string): number => Buffer.byteLength(v, 'utf8');
  if (lenBytes !== undefined) add((v) => bytes(v) === lenBytes, 'len_bytes', `value length must be ${lenBytes} bytes`);
  if (minBytes !== undefined) add((v) => bytes(v) >= minBytes, 'min_bytes', `value length must be at least ${minBytes} bytes`);
  if (maxBytes !== undefined) add((v) => bytes(v) <= maxBytes, 'max_bytes', `value length must be at most ${maxBytes} bytes`);
  const pattern = str(r, 'pattern'), prefix = str(r, 'prefix'), suffix = str(r, 'suffix');
  const contains = str(r, 'contains'), notContains = str(r, 'not_contains');
  if (pattern !== undefined) {
    const re = compile(pattern);
    add((v) => re.test(v), 'pattern', `value does not match regex pattern ${JSON.stringify(pattern)}`);
  }
  if (prefix !== undefined) add((v) => v.startsWith(prefix), 'prefix', `value does not have prefix ${JSON.stringify(prefix)}`);
  if (suffix !== undefined) add((v) => v.endsWith(suffix), 'suffix', `value does not have suffix ${JSON.stringify(suffix)}`);
  if (contains !== undefined) add((v) => v.includes(contains), 'contains', `value does not contain substring ${JSON.stringify(contains)}`);
  if (notContains !== undefined) add((v) => !v.includes(notContains), 'not_contains', `value contains substring ${JSON.stringify(notContains)}`);
  const inList = asList(r['in']);
  if (inList.length > 0) add((v) => inList.includes(v), 'in', `value must be in list [${inList.join(', ')}]`);
  const notIn = asList(r['not_in']);
  if (notIn.length > 0) add((v) => !notIn.includes(v), 'not_in', `value must not be in list [${notIn.join(', ')}]`);
  const wkr = r['well_known_regex'];
  if (wkr !== undefined) {
    const strict = r['strict'] !== false;
    const isName = wkr === 'HTTP_HEADER_NAME' || wkr === 1;
    const isValue = wkr === 'HTTP_HEADER_VALUE' || wkr === 2;
    const re = !strict ? HEADER_LOOSE : isName ? HEADER_NAME_STRICT : HEADER_VALUE_STRICT;
    if (isName || isValue) {
      add((v) => re.test(v), 'well_known_regex', `value does not match regex pattern for HTTP header ${isName ? 'name' : 'value'}`);
    }
  }
  if (r['ip'] === true) add((v) => isIP(v) !== 0, 'ip', 'value must be a valid IP address');
  if (r['ipv4'] === true) add((v) => isIP(v) === 4, 'ipv4', 'value must be a valid IPv4 address');
  if (r['ipv6'] === true) add((v) => isIP(v) === 6, 'ipv6', 'value must be a valid IPv6 address');
  if (r['hostname'] === true) add(isHostname, 'hostname', 'value must be a valid hostname');
  if (r['address'] === true) add((v) => isIP(v) !== 0 || isHostname(v), 'address', 'value must be a valid hostname or IP address');
  if (r['uuid'] === true) add((v) => UUID.test(v), 'uuid', 'value must be a valid UUID');
  if (r['uri'] === true) add((v) => URL.canParse(v), 'uri', 'value must be a valid absolute URI');
  return (v, ctx) => {
    if (ignoreEmpty && v === '') return;
    for (const [test, rule, message] of tests) if (!test(v)) issue(ctx, rule, message);
  };
}

/** The bytes rules in `r`, for a value in its JSON (base64) form. */
export function compileBytes(r: Rules): TypedChecker<string> {
  const ignoreEmpty = r['ignore_empty'] === true;
  const len = num(r, 'len'), minLen = num(r, 'min_len'), maxLen = num(r, 'max_len');
  return (base64, ctx) => {
    const n = (base64Decode(base64) ?? new Uint8Array()).length;
    if (ignoreEmpty && n === 0) return;
    if (len !== undefined && n !== len) issue(ctx, 'bytes.len', `value length must be ${len} bytes`);
    if (minLen !== undefined && n < minLen) issue(ctx, 'bytes.min_len', `value length must be at least ${minLen} bytes`);
    if (maxLen !== undefined && n > maxLen) issue(ctx, 'bytes.max_len', `value length must be at most ${maxLen} bytes`);
    if (r['ipv4'] === true && n !== 4) issue(ctx, 'bytes.ipv4', 'value must be a valid IPv4 address');
    if (r['ipv6'] === true && n !== 16) issue(ctx, 'bytes.ipv6', 'value must be a valid IPv6 address');
    if (r['ip'] === true && n !== 4 && n !== 16) issue(ctx, 'bytes.ip', 'value must be a valid IP address');
  };
}
