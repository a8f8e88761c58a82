// Checks a resource against the protoc-gen-validate annotations in Envoy's protos, the
// same constraints Envoy enforces (MessageUtil::validate) when it accepts config. Tests
// use it to prove every emitted resource would be accepted.
//
// Presence follows PGV's generated code, not "set fields only": a plain proto3 scalar is
// always checked (an absent `name` is "" and fails string.min_len, as Envoy reports it);
// oneof members and proto3 `optional` scalars only when set; message-typed fields
// (wrappers, Duration, Any, ...) only when present, except their `required` rule.
//
// The walk reads the message fromJson parsed (the rules see each value in its canonical
// JSON form, printed only where a rule reads it) and visits only what validate-plan.ts
// says can fail; issue paths are JSON paths all the same.
import type protobuf from 'protobufjs';
import { fromJson, isPlainObject, parsedAnyPayload } from './codec.js';
import { at, renderPath, type Path, type Props } from './codec-common.js';
import { parseMessage } from './json-parse.js';
import { printMapKey, printSingle } from './json-print.js';
import { lookupType, tryLookupType, typeNameFromUrl } from './protos.js';
import { typeInfo, type FieldInfo } from './type-info.js';
import { planOf, type FieldPlan, type TypePlan } from './validate-plan.js';
import type { CheckContext, Checker, ValidationIssue } from './validate-rules.js';

export type { ValidationIssue } from './validate-rules.js';

export class ValidationError extends Error {
  constructor(readonly typeName: string, readonly issues: readonly ValidationIssue[]) {
    super(`${typeName} fails validation:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message} [${i.rule}]`).join('\n')}`);
    this.name = 'ValidationError';
  }
}

/**
 * The one CheckContext checks get: they run one at a time, synchronously, and keep no
 * reference to it, so a check costs no allocation (its path is rendered only for an issue).
 */
class WalkContext implements CheckContext {
  parent: Path = '';
  key: string | number = '';
  issues: ValidationIssue[] = [];
  enumType: protobuf.Enum | undefined;

  get path(): string {
    return renderPath(at(this.parent, this.key));
  }
}
const ctx = new WalkContext();

/** Runs `checker` on `json`, the value at `parent`.`key`. */
function check(checker: Checker, json: unknown, parent: Path, key: string | number, issues: ValidationIssue[], enumType?: protobuf.Enum): void {
  ctx.parent = parent;
  ctx.key = key;
  ctx.issues = issues;
  ctx.enumType = enumType;
  checker(json, ctx);
}

/** A field value as protobufjs holds it, or undefined when unset (defaults sit on the prototype). */
function own(msg: Props, key: string): unknown {
  const v = Object.hasOwn(msg, key) ? msg[key] : undefined;
  return v === null ? undefined : v;
}

/** A value (an item) in the form its checks read (see FieldPlan.jsonForm). */
function jsonForCheck(fp: FieldPlan, v: unknown): unknown {
  if (fp.jsonForm === 'raw') return v;
  if (fp.jsonForm === 'print') return printSingle(fp.fi, v);
  const url = own(v as Props, anyFields().url);
  return typeof url === 'string' && url !== '' ? { '@type': url } : {};
}

let anyFieldNames: { url: string; value: string } | undefined;
/** Property names of Any's type_url and value on protobufjs messages. */
function anyFields(): { url: string; value: string } {
  if (!anyFieldNames) {
    const info = typeInfo(lookupType('google.protobuf.Any'));
    anyFieldNames = { url: info.byId.get(1)?.prop ?? 'type_url', value: info.byId.get(2)?.prop ?? 'value' };
  }
  return anyFieldNames;
}

/** Every PGV issue in `json` (a `typeName` message in proto3 JSON); throws CodecError on a malformed shape. */
export function validateMessage(typeName: string, json: Record<string, unknown>): ValidationIssue[] {
  // The strict parse first: it rejects unknown fields and wrong types, and the walk then
  // reads one normalized form (the parsed message) whatever the JSON spelling was.
  return issuesOfMessage(lookupType(typeName), fromJson(typeName, json));
}

/** The PGV issues of a `type` message, as fromJson parsed it or decode read it from the wire. */
export function issuesOfMessage(type: protobuf.Type, message: protobuf.Message): ValidationIssue[] {
  const plan = planOf(type);
  if (!plan) return [];
  const msg = message as unknown as Props;
  const found: ValidationIssue[] = [];
  walkMessage(plan, msg, '', found, true);
  if (found.length === 0) return found;
  const issues: ValidationIssue[] = [];
  walkMessage(plan, msg, '', issues, false);
  return issues;
}

/** Throws a ValidationError listing every issue of an xDS resource body. */
export function assertValid(typeUrl: string, body: Record<string, unknown>): void {
  const typeName = typeNameFromUrl(typeUrl);
  const issues = validateMessage(typeName, body);
  if (issues.length > 0) throw new ValidationError(typeName, issues);
}

// Presence, as in PGV's generated code (see the top of this file). On a protobufjs message
// a field is set when it is an own property: defaults live on the prototype, and fromJson
// and decode leave unset fields off the object. `path` is the message's own path.
//
// Two ways through a message. In order visits the plan's fields in declaration order, the
// order issues are reported in. A scan (`scan` true) visits only the fields the message
// has set, plus the few whose being unset fails: reading every planned field of every
// message, most of them unset, was most of the walk's cost (a keyed load per field on
// objects of many shapes). A clean resource, nearly every one, needs only the scan; when
// the scan finds anything, issuesOfMessage walks in order for the exact list.
function walkMessage(plan: TypePlan, msg: Props, path: Path, issues: ValidationIssue[], scan: boolean): void {
  if (plan.any) {
    walkAny(msg, path, issues, scan);
    return;
  }
  for (const oneof of plan.oneofs) {
    if (!anySet(msg, oneof.members)) issues.push({ path: renderPath(at(path, oneof.name)), rule: 'oneof.required', message: oneof.message });
  }
  if (!scan) {
    for (const fp of plan.fields) walkField(fp, msg, path, issues, false);
    return;
  }
  for (const fp of plan.unsetFails) walkField(fp, msg, path, issues, true);
  const keys = Object.keys(msg);
  for (let i = 0; i < keys.length; i++) {
    const fp = plan.byProp.get(keys[i] as string);
    if (fp !== undefined && !fp.unsetFails) walkField(fp, msg, path, issues, true);
  }
}

function anySet(msg: Props, fields: readonly FieldInfo[]): boolean {
  for (const fi of fields) if (own(msg, fi.prop) !== undefined) return true;
  return false;
}

/** Payload plans by type URL (of URLs that named a type). */
const anyPlans = new Map<string, { type: protobuf.Type; plan: TypePlan | null }>();
/** URLs come from the input: caches keyed by them start over when they get this big. */
const URL_CACHE_MAX = 10_000;

function walkAny(msg: Props, path: Path, issues: ValidationIssue[], scan: boolean): void {
  // PGV itself stops at an Any; Envoy validates the payload when it unpacks it, so we do too.
  const names = anyFields();
  const url = own(msg, names.url);
  if (typeof url !== 'string' || url === '') return;
  let known = anyPlans.get(url);
  if (!known) {
    const type = tryLookupType(typeNameFromUrl(url));
    if (!type) return;
    // A well-known payload (even an Any in an Any) is not looked into, as it never was.
    known = { type, plan: typeInfo(type).wellKnown ? null : planOf(type) };
    if (anyPlans.size >= URL_CACHE_MAX) anyPlans.clear();
    anyPlans.set(url, known);
  }
  if (!known.plan) return;
  const raw = own(msg, names.value);
  const bytes = raw instanceof Uint8Array ? raw : new Uint8Array();
  const payload = parsedAnyPayload(msg, bytes) ?? known.type.decode(bytes);
  walkMessage(known.plan, payload as unknown as Props, path, issues, scan);
}

const NO_ITEMS: readonly unknown[] = [];
const NO_ENTRIES: Props = Object.freeze({});

function walkField(fp: FieldPlan, msg: Props, parent: Path, issues: ValidationIssue[], scan: boolean): void {
  const fi = fp.fi;
  if (fi.map) {
    const v = msg[fi.prop];
    const entries = isPlainObject(v) ? v : NO_ENTRIES;
    const keys = Object.keys(entries);
    if (keys.length > 0 || !fp.emptyOk) walkMap(fp, entries, keys, at(parent, fi.jsonName), issues, scan);
    return;
  }
  if (fi.repeated) {
    const v = msg[fi.prop];
    const items = Array.isArray(v) ? v : NO_ITEMS;
    if (items.length > 0 || !fp.emptyOk) walkRepeated(fp, items, at(parent, fi.jsonName), issues, scan);
    return;
  }
  if (fi.messageType) {
    // An unset message field reads as the prototype's null.
    const value = msg[fi.prop];
    if (value === undefined || value === null) {
      if (fp.required) issues.push({ path: renderPath(at(parent, fi.jsonName)), rule: fp.required, message: 'value is required' });
      return;
    }
    if (fp.check) check(fp.check, jsonForCheck(fp, value), parent, fi.jsonName, issues);
    const plan = fp.childPlan;
    if (plan) walkMessage(plan, value as Props, at(parent, fi.jsonName), issues, scan);
    return;
  }
  if (!fp.check) return;
  const value = own(msg, fi.prop);
  if (value === undefined) {
    // An unset oneof member or proto3 `optional` is not checked (PGV switches on the set
    // case); a plain scalar is checked as its default.
    if (!fi.presence) for (const d of fp.defaultIssues) issues.push({ path: renderPath(at(parent, fi.jsonName)), ...d });
    return;
  }
  check(fp.check, jsonForCheck(fp, value), parent, fi.jsonName, issues, fi.enumType);
}

function walkRepeated(fp: FieldPlan, items: readonly unknown[], path: Path, issues: ValidationIssue[], scan: boolean): void {
  const r = fp.repeated;
  if (r && !(r['ignore_empty'] === true && items.length === 0)) {
    const min = r['min_items'], max = r['max_items'];
    if (min !== undefined && items.length < Number(min)) {
      issues.push({ path: renderPath(path), rule: 'repeated.min_items', message: `value must contain at least ${Number(min)} item(s)` });
    }
    if (max !== undefined && items.length > Number(max)) {
      issues.push({ path: renderPath(path), rule: 'repeated.max_items', message: `value must contain no more than ${Number(max)} item(s)` });
    }
    if (r['unique'] === true) {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const key = JSON.stringify(printSingle(fp.fi, item));
        if (seen.has(key)) issues.push({ path: renderPath(at(path, i)), rule: 'repeated.unique', message: 'repeated value must contain unique items' });
        seen.add(key);
      });
    }
  }
  const { itemCheck, fi } = fp;
  const plan = fp.childPlan;
  if (!itemCheck && !plan) return;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (itemCheck) check(itemCheck, jsonForCheck(fp, item), path, i, issues, fi.enumType);
    if (!plan || !isPlainObject(item)) continue;
    walkMessage(plan, item, at(path, i), issues, scan);
  }
}

function walkMap(fp: FieldPlan, entries: Props, keys: readonly string[], path: Path, issues: ValidationIssue[], scan: boolean): void {
  const r = fp.map;
  if (r && !(r['ignore_empty'] === true && keys.length === 0)) {
    const min = r['min_pairs'], max = r['max_pairs'];
    if (min !== undefined && keys.length < Number(min)) {
      issues.push({ path: renderPath(path), rule: 'map.min_pairs', message: `value must contain at least ${Number(min)} pair(s)` });
    }
    if (max !== undefined && keys.length > Number(max)) {
      issues.push({ path: renderPath(path), rule: 'map.max_pairs', message: `value must contain no more than ${Number(max)} pair(s)` });
    }
  }
  const { keyCheck, valueCheck, fi } = fp;
  const plan = fp.childPlan;
  if (!keyCheck && !valueCheck && !plan) return;
  for (const k of keys) {
    const key = printMapKey(fi, k);
    const value = entries[k];
    if (keyCheck) check(keyCheck, key, path, key, issues);
    if (valueCheck) check(valueCheck, jsonForCheck(fp, value), path, key, issues, fi.enumType);
    if (plan && isPlainObject(value)) walkMessage(plan, value, at(path, key), issues, scan);
  }
}

/**
 * Encodes a resource only if it passes both the strict codec and Envoy's validate.rules:
 * what we send is what Envoy would accept (Contour's rule: never let NACK-able config out).
 * It runs once per resource version (the xDS cache shares the bytes), for every resource
 * of every push: one parse, one encode, and a walk of only what can fail (validate-plan.ts).
 */
export function encodeValidResource(typeUrl: string, body: Record<string, unknown>): Uint8Array {
  // One strict parse serves both the encoding and the validation (parsing is the largest
  // part of either); CodecError still comes before ValidationError, as with encodeResource.
  const { typeName, type } = resourceType(typeUrl);
  const message = parseMessage(type, body, '');
  const bytes = type.encode(message).finish();
  const issues = issuesOfMessage(type, message);
  if (issues.length > 0) throw new ValidationError(typeName, issues);
  return bytes;
}

/** The resource types by type URL: a handful of URLs, looked up for every resource sent. */
const resourceTypes = new Map<string, { typeName: string; type: protobuf.Type }>();
function resourceType(typeUrl: string): { typeName: string; type: protobuf.Type } {
  let known = resourceTypes.get(typeUrl);
  if (!known) {
    const typeName = typeNameFromUrl(typeUrl);
    known = { typeName, type: lookupType(typeName) };
    if (resourceTypes.size >= URL_CACHE_MAX) resourceTypes.clear();
    resourceTypes.set(typeUrl, known);
  }
  return known;
}
