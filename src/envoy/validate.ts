// Checks a resource against the protoc-gen-validate annotations in Envoy's protos, the
// same constraints Envoy enforces (MessageUtil::validate) when it accepts config. Tests
// use it to prove every emitted resource would be accepted.
//
// Presence follows PGV's generated code, not "set fields only": a plain proto3 scalar is
// always checked (an absent `name` is "" and fails string.min_len, as Envoy reports it);
// oneof members and proto3 `optional` scalars only when set; message-typed fields
// (wrappers, Duration, Any, ...) only when present, except their `required` rule.
import type protobuf from 'protobufjs';
import { fromJson, isPlainObject, joinPath, toJson } from './codec.js';
import { lookupType, tryLookupType, typeNameFromUrl } from './protos.js';
import { typeInfo, type FieldInfo } from './type-info.js';
import { asRecord, checkValue, type CheckContext, type Rules, type ValidationIssue } from './validate-rules.js';

export type { ValidationIssue } from './validate-rules.js';

export class ValidationError extends Error {
  constructor(readonly typeName: string, readonly issues: readonly ValidationIssue[]) {
    super(`${typeName} fails validation:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message} [${i.rule}]`).join('\n')}`);
    this.name = 'ValidationError';
  }
}

/**
 * protobufjs exposes options two ways: `field.options` flattens them to dotted keys and
 * keeps only the last element of a repeated rule (`string.in` of ["http","https"] becomes
 * "https") and drops empty messages (`duration.gt = {}`), so we read `parsedOptions`, an
 * array of single-key objects holding the rules as nested objects with snake_case keys.
 */
const rulesCache = new WeakMap<protobuf.Field, Rules | null>();
function rulesOf(field: protobuf.Field): Rules | undefined {
  let r = rulesCache.get(field);
  if (r === undefined) {
    r = null;
    const parsed: unknown = field.parsedOptions;
    for (const entry of Array.isArray(parsed) ? parsed : []) {
      const rules = asRecord(asRecord(entry)?.['(validate.rules)']);
      if (rules) r = { ...(r ?? {}), ...rules };
    }
    rulesCache.set(field, r);
  }
  return r ?? undefined;
}

function option(obj: protobuf.ReflectionObject, name: string): unknown {
  return obj.options?.[name];
}

/** Canonical JSON of the zero value, for plain proto3 scalars that are absent from the JSON. */
function defaultJson(fi: FieldInfo): unknown {
  if (fi.enumType) return fi.enumType.valuesById[0] ?? 0;
  switch (fi.scalarType) {
    case 'string': case 'bytes': return '';
    case 'bool': return false;
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return '0';
    default: return 0;
  }
}

const REQUIRED_KINDS = ['message', 'duration', 'timestamp', 'any'];

/**
 * A JSON path, rendered only when an issue is reported: almost every walk finds none, and
 * joining each field's path string up front (a regex test and a new string per field) was
 * a large share of validating a big route configuration.
 */
type Path = { readonly parent: Path; readonly key: string | number } | undefined;

function at(parent: Path, key: string | number): Path {
  return { parent, key };
}

function render(p: Path): string {
  if (p === undefined) return '';
  const base = render(p.parent);
  return typeof p.key === 'number' ? `${base}[${p.key}]` : joinPath(base, p.key);
}

/** checkValue's context; its path is rendered if and when an issue needs it. */
class LazyPathContext implements CheckContext {
  constructor(
    private readonly at: Path,
    readonly issues: ValidationIssue[],
    readonly enumType?: protobuf.Enum,
  ) {}

  get path(): string {
    return render(this.at);
  }
}

function checkCtx(p: Path, issues: ValidationIssue[], enumType?: protobuf.Enum): CheckContext {
  return new LazyPathContext(p, issues, enumType);
}

/**
 * Repeated items of these types are walked once per distinct content: an all-seeing route
 * configuration repeats ~1000 virtual hosts that are identical from one namespace's copy
 * (or one version) to the next, and walking them dominated encoding it. Only items found
 * clean are remembered (an item with issues is walked again, so its issues get its path).
 * Two generations bound the memory: the older one is dropped when the newer one fills.
 */
const MEMO_ITEM_TYPES: ReadonlySet<string> = new Set(['envoy.config.route.v3.VirtualHost', 'envoy.config.listener.v3.FilterChain']);
const MEMO_GENERATION = 50_000;
let cleanItems = new Set<string>();
let olderCleanItems = new Set<string>();

function walkItem(type: protobuf.Type, item: unknown, path: Path, issues: ValidationIssue[]): void {
  if (!MEMO_ITEM_TYPES.has(typeInfo(type).fullName)) {
    walkMessage(type, item, path, issues);
    return;
  }
  const key = `${typeInfo(type).fullName}\n${JSON.stringify(item)}`;
  if (cleanItems.has(key)) return;
  if (olderCleanItems.has(key)) {
    cleanItems.add(key);
    return;
  }
  const before = issues.length;
  walkMessage(type, item, path, issues);
  if (issues.length !== before) return;
  if (cleanItems.size >= MEMO_GENERATION) {
    olderCleanItems = cleanItems;
    cleanItems = new Set();
  }
  cleanItems.add(key);
}

/** Every PGV issue in `json` (a `typeName` message in proto3 JSON); throws CodecError on a malformed shape. */
export function validateMessage(typeName: string, json: Record<string, unknown>): ValidationIssue[] {
  // Normalize first: the strict parse rejects unknown fields and wrong types, and the
  // canonical form gives one spelling per field (json names, durations as strings, ...).
  return issuesOfMessage(typeName, fromJson(typeName, json));
}

/** The PGV issues of an already parsed message (walked in its canonical JSON form). */
function issuesOfMessage(typeName: string, message: protobuf.Message): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  walkMessage(lookupType(typeName), toJson(typeName, message), undefined, issues);
  return issues;
}

/** Throws a ValidationError listing every issue of an xDS resource body. */
export function assertValid(typeUrl: string, body: Record<string, unknown>): void {
  const typeName = typeNameFromUrl(typeUrl);
  const issues = validateMessage(typeName, body);
  if (issues.length > 0) throw new ValidationError(typeName, issues);
}

function walkMessage(type: protobuf.Type, json: unknown, path: Path, issues: ValidationIssue[]): void {
  const info = typeInfo(type);
  if (!isPlainObject(json)) return; // Duration, wrappers, Value...: nothing to walk into
  if (option(type, '(validate.disabled)') === true || option(type, '(validate.ignored)') === true) return;
  if (info.fullName === 'google.protobuf.Any') {
    walkAny(json, path, issues);
    return;
  }
  if (info.fullName.startsWith('google.protobuf.')) return; // Struct and friends carry no rules
  for (const oneof of info.oneofs) {
    if (option(oneof, '(validate.required)') !== true) continue;
    const members = oneof.fieldsArray.map((f) => info.byId.get(f.id)?.jsonName ?? f.name);
    if (!members.some((m) => json[m] !== undefined)) {
      issues.push({ path: render(at(path, oneof.name)), rule: 'oneof.required', message: `exactly one of [${members.join(', ')}] must be set` });
    }
  }
  for (const fi of info.fields) walkField(fi, json[fi.jsonName], at(path, fi.jsonName), issues);
}

function walkAny(json: Record<string, unknown>, path: Path, issues: ValidationIssue[]): void {
  // PGV itself stops at an Any; Envoy validates the payload when it unpacks it, so we do too.
  const url = json['@type'];
  const inner = typeof url === 'string' ? tryLookupType(typeNameFromUrl(url)) : undefined;
  if (!inner) return;
  if (inner.fullName.startsWith('.google.protobuf.')) return;
  walkMessage(inner, json, path, issues);
}

function walkField(fi: FieldInfo, value: unknown, path: Path, issues: ValidationIssue[]): void {
  const rules = rulesOf(fi.field);
  // An unset oneof member is not validated at all (PGV switches on the set case).
  if (fi.oneof && value === undefined) return;
  if (fi.map) {
    walkMap(fi, rules, isPlainObject(value) ? value : {}, path, issues);
    return;
  }
  if (fi.repeated) {
    walkRepeated(fi, rules, Array.isArray(value) ? value : [], path, issues);
    return;
  }
  if (fi.messageType) {
    if (value === undefined) {
      for (const kind of REQUIRED_KINDS) {
        if (asRecord(rules?.[kind])?.['required'] === true) {
          issues.push({ path: render(path), rule: `${kind}.required`, message: 'value is required' });
          break;
        }
      }
      return;
    }
    if (rules) checkValue(rules, value, checkCtx(path, issues));
    if (asRecord(rules?.['message'])?.['skip'] !== true) walkMessage(fi.messageType, value, path, issues);
    return;
  }
  if (value === undefined && fi.presence) return; // proto3 `optional`, unset
  if (rules) checkValue(rules, value ?? defaultJson(fi), checkCtx(path, issues, fi.enumType));
}

function walkRepeated(fi: FieldInfo, rules: Rules | undefined, items: unknown[], path: Path, issues: ValidationIssue[]): void {
  const r = asRecord(rules?.['repeated']);
  if (r && !(r['ignore_empty'] === true && items.length === 0)) {
    const min = r['min_items'], max = r['max_items'];
    if (min !== undefined && items.length < Number(min)) {
      issues.push({ path: render(path), rule: 'repeated.min_items', message: `value must contain at least ${Number(min)} item(s)` });
    }
    if (max !== undefined && items.length > Number(max)) {
      issues.push({ path: render(path), rule: 'repeated.max_items', message: `value must contain no more than ${Number(max)} item(s)` });
    }
    if (r['unique'] === true) {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const key = JSON.stringify(item);
        if (seen.has(key)) issues.push({ path: render(at(path, i)), rule: 'repeated.unique', message: 'repeated value must contain unique items' });
        seen.add(key);
      });
    }
  }
  const itemRules = asRecord(r?.['items']);
  items.forEach((item, i) => {
    const ipath = at(path, i);
    if (itemRules) checkValue(itemRules, item, checkCtx(ipath, issues, fi.enumType));
    if (fi.messageType && asRecord(itemRules?.['message'])?.['skip'] !== true) walkItem(fi.messageType, item, ipath, issues);
  });
}

function walkMap(fi: FieldInfo, rules: Rules | undefined, entries: Record<string, unknown>, path: Path, issues: ValidationIssue[]): void {
  const r = asRecord(rules?.['map']);
  const keys = Object.keys(entries);
  if (r && !(r['ignore_empty'] === true && keys.length === 0)) {
    const min = r['min_pairs'], max = r['max_pairs'];
    if (min !== undefined && keys.length < Number(min)) {
      issues.push({ path: render(path), rule: 'map.min_pairs', message: `value must contain at least ${Number(min)} pair(s)` });
    }
    if (max !== undefined && keys.length > Number(max)) {
      issues.push({ path: render(path), rule: 'map.max_pairs', message: `value must contain no more than ${Number(max)} pair(s)` });
    }
  }
  const keyRules = asRecord(r?.['keys']);
  const valueRules = asRecord(r?.['values']);
  for (const k of keys) {
    const kpath = at(path, k);
    if (keyRules) checkValue(keyRules, k, checkCtx(kpath, issues));
    if (valueRules) checkValue(valueRules, entries[k], checkCtx(kpath, issues, fi.enumType));
    if (fi.messageType) walkMessage(fi.messageType, entries[k], kpath, issues);
  }
}

/**
 * Encodes a resource only if it passes both the strict codec and Envoy's validate.rules:
 * what we send is what Envoy would accept (Contour's rule: never let NACK-able config out).
 * Runs once per resource version (the xDS cache shares the bytes), so it is cheap.
 */
export function encodeValidResource(typeUrl: string, body: Record<string, unknown>): Uint8Array {
  // One strict parse serves both the encoding and the validation (parsing is the largest
  // part of either); CodecError still comes before ValidationError, as with encodeResource.
  const typeName = typeNameFromUrl(typeUrl);
  const message = fromJson(typeName, body);
  const bytes = lookupType(typeName).encode(message).finish();
  const issues = issuesOfMessage(typeName, message);
  if (issues.length > 0) throw new ValidationError(typeName, issues);
  return bytes;
}
