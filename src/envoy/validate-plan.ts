// What validate.ts has to look at in a message type, worked out once per protobuf.Type:
// each field's PGV rules already split by use, the required oneofs, and which message
// fields lead to a type that can have issues at all. Most of an Envoy resource (metadata,
// filter configs without rules, ...) carries no rules anywhere below, and skipping those
// subtrees outright is most of what makes validation cheap.
import type protobuf from 'protobufjs';
import { typeInfo, type FieldInfo, type TypeInfo } from './type-info.js';
import { asRecord, compileRules, type Checker, type Rules, type ValidationIssue } from './validate-rules.js';

export interface RequiredOneof {
  name: string;
  members: readonly FieldInfo[];
  /** The issue message: `exactly one of [a, b] must be set`. */
  message: string;
}

/** What the walk needs to know about one field; built once per field of a relevant type. */
export class FieldPlan {
  /** The checks of the value itself (singular fields); undefined when there are none. */
  readonly check: Checker | undefined;
  /** `message.required`, `duration.required`, ...: the issue for an absent message field (not a oneof member). */
  readonly required: string | undefined;
  /** `repeated` rules, then `repeated.items` (checked per item). */
  readonly repeated: Rules | undefined;
  readonly itemCheck: Checker | undefined;
  /** `map` rules, then `map.keys` and `map.values` (checked per entry). */
  readonly map: Rules | undefined;
  readonly keyCheck: Checker | undefined;
  readonly valueCheck: Checker | undefined;
  /**
   * How a value (an item) is given to the checks, which read canonical JSON: as is where
   * that is the same (strings, bools, 32-bit integers; enum numbers, which the enum rules
   * read as such), as `{"@type": url}` for an Any (any.in/not_in read nothing else), else
   * printed.
   */
  readonly jsonForm: 'raw' | 'anyUrl' | 'print';
  /** An empty repeated or map field passes its own rules (only min_items/min_pairs can fail it). */
  readonly emptyOk: boolean;
  /** The issues of an unset plain scalar: its default value checked once, here. */
  readonly defaultIssues: readonly Omit<ValidationIssue, 'path'>[];
  /** Being unset is itself an issue here (required, min_items, a failing default). */
  readonly unsetFails: boolean;
  private childPlanCache: TypePlan | null | undefined;

  constructor(
    readonly fi: FieldInfo,
    rules: Omit<FieldRules, 'descend'>,
    /** The message type walked into (the value, each item or map value); undefined when nothing below can fail. */
    readonly child: protobuf.Type | undefined,
  ) {
    this.check = compiled(rules.check);
    this.itemCheck = compiled(rules.itemCheck);
    this.keyCheck = compiled(rules.keyCheck);
    this.valueCheck = compiled(rules.valueCheck);
    this.repeated = rules.repeated;
    this.map = rules.map;
    const isAny = fi.messageType !== undefined && typeInfo(fi.messageType).fullName === 'google.protobuf.Any';
    this.jsonForm = fi.enumType !== undefined || RAW_SCALARS.has(fi.scalarType) ? 'raw' : isAny ? 'anyUrl' : 'print';
    this.required = fi.oneof ? undefined : rules.required;
    const r = this.repeated ?? this.map;
    const min = r?.[this.map ? 'min_pairs' : 'min_items'];
    const max = r?.[this.map ? 'max_pairs' : 'max_items'];
    this.emptyOk = !r || r['ignore_empty'] === true || !((min !== undefined && 0 < Number(min)) || (max !== undefined && 0 > Number(max)));
    const scalar = !fi.repeated && !fi.map && !fi.messageType && !fi.presence;
    this.defaultIssues = scalar && this.check ? issuesOfDefault(fi, this.check) : [];
    this.unsetFails = this.required !== undefined || this.defaultIssues.length > 0 || !this.emptyOk;
  }

  /** The child type's plan (non-null whenever `child` is set), looked up once. */
  get childPlan(): TypePlan | null {
    if (this.childPlanCache === undefined) this.childPlanCache = this.child ? planOf(this.child) : null;
    return this.childPlanCache;
  }
}

const RAW_SCALARS = new Set(['string', 'bool', 'int32', 'sint32', 'sfixed32', 'uint32', 'fixed32']);

function compiled(rules: Rules | undefined): Checker | undefined {
  return rules ? compileRules(rules) : undefined;
}

/** Canonical JSON of the zero value, what an unset plain proto3 scalar is checked as. */
function defaultJson(fi: FieldInfo): unknown {
  if (fi.enumType) return fi.enumType.valuesById[0] ?? 0;
  switch (fi.scalarType) {
    case 'string': case 'bytes': return '';
    case 'bool': return false;
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return '0';
    default: return 0;
  }
}

function issuesOfDefault(fi: FieldInfo, check: Checker): Omit<ValidationIssue, 'path'>[] {
  const issues: ValidationIssue[] = [];
  check(defaultJson(fi), { path: '', issues, enumType: fi.enumType });
  return issues.map(({ rule, message }) => ({ rule, message }));
}

export interface TypePlan {
  readonly info: TypeInfo;
  /** An Any: its payload is walked by its type URL. */
  readonly any: boolean;
  readonly oneofs: readonly RequiredOneof[];
  /** Declaration order: the order issues are reported in. */
  readonly fields: readonly FieldPlan[];
  /** The same fields by protobufjs property name, for walking only what a message has set. */
  readonly byProp: ReadonlyMap<string, FieldPlan>;
  /** The fields whose being unset is itself an issue (required, min_items, a failing default). */
  readonly unsetFails: readonly FieldPlan[];
}

const REQUIRED_KINDS = ['message', 'duration', 'timestamp', 'any'];

/**
 * protobufjs exposes options two ways: `field.options` flattens them to dotted keys and
 * keeps only the last element of a repeated rule (`string.in` of ["http","https"] becomes
 * "https") and drops empty messages (`duration.gt = {}`), so we read `parsedOptions`, an
 * array of single-key objects holding the rules as nested objects with snake_case keys.
 */
function rulesOf(field: protobuf.Field): Rules | undefined {
  let r: Rules | undefined;
  const parsed: unknown = field.parsedOptions;
  for (const entry of Array.isArray(parsed) ? parsed : []) {
    const rules = asRecord(asRecord(entry)?.['(validate.rules)']);
    if (rules) r = { ...(r ?? {}), ...rules };
  }
  return r;
}

function option(obj: protobuf.ReflectionObject, name: string): unknown {
  return obj.options?.[name];
}

/** Types never walked: PGV's opt-outs, and the well-known types (no rules), Any aside. */
function skipped(info: TypeInfo): boolean {
  if (option(info.type, '(validate.disabled)') === true || option(info.type, '(validate.ignored)') === true) return true;
  return info.fullName.startsWith('google.protobuf.') && info.fullName !== 'google.protobuf.Any';
}

function requiredOneofs(info: TypeInfo): RequiredOneof[] {
  return info.oneofs.filter((o) => option(o, '(validate.required)') === true).map((o) => {
    const members = o.fieldsArray.map((f) => info.byId.get(f.id)).filter((fi): fi is FieldInfo => fi !== undefined);
    const names = o.fieldsArray.map((f) => info.byId.get(f.id)?.jsonName ?? f.name);
    return { name: o.name, members, message: `exactly one of [${names.join(', ')}] must be set` };
  });
}

/** A rule group without the `message` group, which only the walker reads (required, skip). */
function withoutMessage(rules: Rules | undefined): Rules | undefined {
  if (!rules) return undefined;
  const { message: _message, ...rest } = rules;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

interface FieldRules {
  check: Rules | undefined;
  required: string | undefined;
  repeated: Rules | undefined;
  itemCheck: Rules | undefined;
  map: Rules | undefined;
  keyCheck: Rules | undefined;
  valueCheck: Rules | undefined;
  descend: boolean;
}

function fieldRules(fi: FieldInfo): FieldRules {
  const rules = rulesOf(fi.field);
  const repeated = fi.repeated && !fi.map ? asRecord(rules?.['repeated']) : undefined;
  const map = fi.map ? asRecord(rules?.['map']) : undefined;
  const itemCheck = asRecord(repeated?.['items']);
  const singular = !fi.repeated && !fi.map;
  let required: string | undefined;
  if (singular && fi.messageType) required = REQUIRED_KINDS.find((k) => asRecord(rules?.[k])?.['required'] === true);
  // What the walk has always done: a singular message field or repeated item is walked
  // unless its rules say message.skip; map values always are.
  const skip = fi.map ? undefined : asRecord((singular ? rules : itemCheck)?.['message'])?.['skip'];
  return {
    check: singular ? withoutMessage(rules) : undefined,
    required: required === undefined ? undefined : `${required}.required`,
    repeated,
    itemCheck,
    map,
    keyCheck: asRecord(map?.['keys']),
    valueCheck: asRecord(map?.['values']),
    descend: fi.messageType !== undefined && skip !== true,
  };
}

function hasRules(r: Omit<FieldRules, 'descend'>): boolean {
  return r.check !== undefined || r.required !== undefined || r.repeated !== undefined || r.map !== undefined;
}

/** Fields' rules, per field, computed once (relevance and plans both read them). */
const rulesCache = new WeakMap<FieldInfo, FieldRules>();
function rulesFor(fi: FieldInfo): FieldRules {
  let r = rulesCache.get(fi);
  if (!r) {
    r = fieldRules(fi);
    rulesCache.set(fi, r);
  }
  return r;
}

/** The type has something to check itself (not counting what lies below its fields). */
function checksItself(info: TypeInfo): boolean {
  return info.fullName === 'google.protobuf.Any' || requiredOneofs(info).length > 0 || info.fields.some((fi) => hasRules(rulesFor(fi)));
}

const relevantCache = new WeakMap<protobuf.Type, boolean>();

/**
 * Whether validating a `type` value can report anything: some type reachable through the
 * fields the walk descends into checks something. A breadth-first search over the type
 * graph (which has cycles: matchers, Struct, ...); when it finds nothing, every type it
 * reached is settled as irrelevant too.
 */
export function canHaveIssues(type: protobuf.Type): boolean {
  const cached = relevantCache.get(type);
  if (cached !== undefined) return cached;
  const queue = [type];
  const reached = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const t = queue[i] as protobuf.Type;
    const known = relevantCache.get(t);
    if (known === false) continue;
    const info = typeInfo(t);
    if (skipped(info)) continue;
    if (known === true || checksItself(info)) {
      relevantCache.set(type, true);
      return true;
    }
    for (const fi of info.fields) {
      if (fi.messageType && rulesFor(fi).descend && !reached.has(fi.messageType)) {
        reached.add(fi.messageType);
        queue.push(fi.messageType);
      }
    }
  }
  for (const t of reached) relevantCache.set(t, false);
  return false;
}

const planCache = new WeakMap<protobuf.Type, TypePlan | null>();

/** The plan for walking a `type` message; null when nothing in it can fail validation. */
export function planOf(type: protobuf.Type): TypePlan | null {
  let plan = planCache.get(type);
  if (plan !== undefined) return plan;
  plan = null;
  if (canHaveIssues(type)) {
    const info = typeInfo(type);
    const fields: FieldPlan[] = [];
    for (const fi of info.fields) {
      const { descend, ...r } = rulesFor(fi);
      const child = descend && fi.messageType && canHaveIssues(fi.messageType) ? fi.messageType : undefined;
      if (!hasRules(r) && !child) continue;
      fields.push(new FieldPlan(fi, r, child));
    }
    const byProp = new Map(fields.map((fp) => [fp.fi.prop, fp]));
    const unsetFails = fields.filter((fp) => fp.unsetFails);
    plan = { info, any: info.fullName === 'google.protobuf.Any', oneofs: requiredOneofs(info), fields, byProp, unsetFails };
  }
  planCache.set(type, plan);
  return plan;
}
