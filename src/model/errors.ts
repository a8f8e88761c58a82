// Validation errors that name the object and field, so that a log line or the debug
// surface tells the user exactly what to fix: `file[doc 2] Kind ns/name: field: problem`.
import type * as z from 'zod';
import type { ObjectOrigin } from './config.js';

export interface ObjectErrorParts {
  origin: ObjectOrigin;
  /** The object's kind as written (may be a kind we do not know, or '' if unreadable). */
  kind: string;
  namespace: string;
  name: string;
  /** Field path like `spec.http[0].route[0].weight`; '' when the problem is not a field. */
  field: string;
  /** The problem alone, e.g. `expected number, got string`. */
  detail: string;
}

export class ObjectValidationError extends Error {
  readonly origin: ObjectOrigin;
  readonly kind: string;
  readonly namespace: string;
  /** The object's name (Error's own `name` is reused for it, as the contract asks). */
  override readonly name: string;
  readonly field: string;
  readonly detail: string;

  constructor(parts: ObjectErrorParts) {
    super(formatObjectError(parts));
    this.origin = parts.origin;
    this.kind = parts.kind;
    this.namespace = parts.namespace;
    this.name = parts.name;
    this.field = parts.field;
    this.detail = parts.detail;
  }
}

export function formatOrigin(origin: ObjectOrigin): string {
  return origin.documentIndex === undefined ? origin.location : `${origin.location}[doc ${origin.documentIndex}]`;
}

function formatObjectError(p: ObjectErrorParts): string {
  let out = formatOrigin(p.origin);
  if (p.kind !== '') out += ` ${p.kind} ${p.namespace}/${p.name === '' ? '<unnamed>' : p.name}`;
  out += ': ';
  if (p.field !== '') out += `${p.field}: `;
  return out + p.detail;
}

/** `['spec','http',0,'route']` → `spec.http[0].route`; odd keys (labels, dots) are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const k = String(key);
      if (/^[A-Za-z0-9_-]+$/.test(k)) out += out === '' ? k : `.${k}`;
      else out += `[${JSON.stringify(k)}]`;
    }
  }
  return out;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isInteger(v)) return `number ${v}`;
  return typeof v;
}

const EXPECTED_NAMES: Readonly<Record<string, string>> = { int: 'integer', record: 'object', map: 'object' };

/** One (field, detail) per problem zod found; `unknown field` once per extra key. */
export function zodIssuesToProblems(issues: readonly z.core.$ZodIssue[]): { field: string; detail: string }[] {
  const out: { field: string; detail: string }[] = [];
  for (const issue of issues) {
    const field = formatPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ field: formatPath([...issue.path, key]), detail: `unknown field "${key}"` });
        break;
      case 'invalid_type': {
        const input: unknown = issue.input;
        const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
        out.push({ field, detail: input === undefined ? 'required' : `expected ${expected}, got ${describeValue(input)}` });
        break;
      }
      case 'invalid_value':
        out.push({
          field,
          detail: `expected one of ${issue.values.map((v) => String(v)).join(', ')}, got ${JSON.stringify(issue.input) ?? 'nothing'}`,
        });
        break;
      default:
        out.push({ field, detail: issue.message });
    }
  }
  return out;
}
