// protoc-gen-validate rule checks for one value in canonical proto3 JSON (strings for
// int64 and durations, names for enums, base64 for bytes). The walker in validate.ts
// decides which values reach here and with which rules; messages follow PGV's wording.
import type protobuf from 'protobufjs';
import { asList, compileBytes, compileString, show, type TypedChecker } from './validate-strings.js';
import { durationNanos, parseDuration, parseTimestamp, timestampNanos, toBigInt } from './wkt.js';

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

/**
 * Rule sets compiled to checkers, by identity: the validator passes the same Rules objects
 * (from its per-type plans) every time, so each is read and converted once.
 */
const compiled = new WeakMap<Rules, Checker>();

/** Applies whichever rule group (string, uint32, duration, ...) `rules` holds to `value`. */
export function checkValue(rules: Rules, value: unknown, ctx: CheckContext): void {
  let check = compiled.get(rules);
  if (!check) {
    check = compileRules(rules);
    compiled.set(rules, check);
  }
  check(value, ctx);
}

/** A value check; checkValue with `rules` fixed (the validator's plans hold these). */
export type Checker = (value: unknown, ctx: CheckContext) => void;

/** All of `rules` as one checker, the rule literals read and converted once. */
export function compileRules(rules: Rules): Checker {
  const checkers = compileGroups(rules);
  if (checkers.length === 1) return checkers[0] as Checker;
  return (value, ctx) => {
    for (const c of checkers) c(value, ctx);
  };
}

function compileGroups(rules: Rules): Checker[] {
  const out: Checker[] = [];
  for (const [kind, body] of Object.entries(rules)) {
    const r = asRecord(body);
    if (!r) continue;
    if (kind === 'string') {
      const check = compileString(r);
      out.push((v, ctx) => typeof v === 'string' && check(v, ctx));
    } else if (kind === 'bytes') {
      const check = compileBytes(r);
      out.push((v, ctx) => typeof v === 'string' && check(v, ctx));
    } else if (kind === 'bool') {
      if ('const' in r) out.push((v, ctx) => r['const'] !== v && issue(ctx, 'bool.const', `value must equal ${show(r['const'])}`));
    } else if (kind === 'enum') {
      out.push(compileEnum(r));
    } else if (INT_KINDS.has(kind) || FLOAT_KINDS.has(kind)) {
      const check = compileNumeric(kind, r, Number);
      out.push((v, ctx) => check(Number(v), ctx));
    } else if (LONG_KINDS.has(kind)) {
      const unsigned = kind.startsWith('u') || kind === 'fixed64';
      const check = compileNumeric(kind, r, (x) => toBigInt(x, false));
      out.push((v, ctx) => check(toBigInt(v, unsigned), ctx));
    } else if (kind === 'duration') {
      const check = compileNumeric(kind, r, secondsNanosRule);
      out.push((v, ctx) => {
        const d = typeof v === 'string' ? parseDuration(v) : undefined;
        if (d) check(durationNanos(d), ctx);
      });
    } else if (kind === 'timestamp') {
      const check = compileNumeric(kind, r, secondsNanosRule);
      out.push((v, ctx) => {
        const t = typeof v === 'string' ? parseTimestamp(v) : undefined;
        if (t) check(timestampNanos(t), ctx);
      });
    } else if (kind === 'any') {
      out.push(compileAny(r));
    }
  }
  return out;
}

function issue(ctx: CheckContext, rule: string, message: string): void {
  ctx.issues.push({ path: ctx.path, rule, message });
}

/** A Duration/Timestamp literal in the rules (`{seconds: 1, nanos: 5}`, or `{}` for zero). */
function secondsNanosRule(v: unknown): bigint {
  const r = asRecord(v) ?? {};
  return toBigInt(r['seconds'] ?? 0, false) * 1_000_000_000n + toBigInt(r['nanos'] ?? 0, false);
}

const BOUND_WORDS: Record<string, string> = { gt: 'greater than', gte: 'greater than or equal to', lt: 'less than', lte: 'less than or equal to' };

/**
 * gt/gte/lt/lte/const/in/not_in over numbers, bigints (64-bit, nanos) alike. As in PGV,
 * a lower bound above the upper bound means "outside the range" rather than "empty".
 */
function compileNumeric<T extends number | bigint>(kind: string, r: Rules, conv: (x: unknown) => T): TypedChecker<T> {
  const ignoreEmpty = r['ignore_empty'] === true;
  const hasConst = 'const' in r;
  const c = hasConst ? conv(r['const']) : undefined;
  const lowKey = 'gt' in r ? 'gt' : 'gte' in r ? 'gte' : undefined;
  const highKey = 'lt' in r ? 'lt' : 'lte' in r ? 'lte' : undefined;
  const low = lowKey ? conv(r[lowKey]) : undefined;
  const high = highKey ? conv(r[highKey]) : undefined;
  const outside = low !== undefined && high !== undefined && high < low;
  const outsideMessage = `value must be outside range ${highKey === 'lt' ? '[' : '('}${show(high)}, ${show(low)}${lowKey === 'gt' ? ']' : ')'}`;
  const lowMessage = lowKey ? `value must be ${BOUND_WORDS[lowKey]} ${show(low)}` : '';
  const highMessage = highKey ? `value must be ${BOUND_WORDS[highKey]} ${show(high)}` : '';
  const inList = asList(r['in']).map(conv);
  const notIn = asList(r['not_in']).map(conv);
  const inMessage = `value must be in list [${inList.map(show).join(', ')}]`;
  const notInMessage = `value must not be in list [${notIn.map(show).join(', ')}]`;
  return (v, ctx) => {
    if (ignoreEmpty && (v === 0 || v === 0n)) return;
    if (hasConst && v !== c) issue(ctx, `${kind}.const`, `value must equal ${show(c)}`);
    const aboveLow = low === undefined || (lowKey === 'gt' ? v > low : v >= low);
    const belowHigh = high === undefined || (highKey === 'lt' ? v < high : v <= high);
    if (outside) {
      if (!aboveLow && !belowHigh) issue(ctx, `${kind}.${lowKey}`, outsideMessage);
    } else {
      if (!aboveLow && lowKey) issue(ctx, `${kind}.${lowKey}`, lowMessage);
      if (!belowHigh && highKey) issue(ctx, `${kind}.${highKey}`, highMessage);
    }
    if (inList.length > 0 && !inList.includes(v)) issue(ctx, `${kind}.in`, inMessage);
    if (notIn.includes(v)) issue(ctx, `${kind}.not_in`, notInMessage);
  };
}

function compileEnum(r: Rules): Checker {
  const definedOnly = r['defined_only'] === true;
  const check = compileNumeric('enum', { ...(('const' in r) ? { const: r['const'] } : {}), in: r['in'], not_in: r['not_in'] }, Number);
  return (value, ctx) => {
    const values = ctx.enumType?.values ?? {};
    const n = typeof value === 'string' ? values[value] : typeof value === 'number' ? value : undefined;
    if (n === undefined) return;
    if (definedOnly && ctx.enumType && ctx.enumType.valuesById[n] === undefined) {
      issue(ctx, 'enum.defined_only', 'value must be one of the defined enum values');
    }
    check(n, ctx);
  };
}

function compileAny(r: Rules): Checker {
  const inList = asList(r['in']);
  const notIn = asList(r['not_in']);
  return (value, ctx) => {
    const url = asRecord(value)?.['@type'];
    if (typeof url !== 'string') return;
    if (inList.length > 0 && !inList.includes(url)) issue(ctx, 'any.in', `type URL must be in list [${inList.join(', ')}]`);
    if (notIn.includes(url)) issue(ctx, 'any.not_in', `type URL must not be in list [${notIn.join(', ')}]`);
  };
}
