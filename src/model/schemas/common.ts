// Building blocks shared by the kind schemas: typed primitives with Istio's cheap semantic
// checks (ports, durations, percentages), StringMatch's oneof, and object metadata.
import * as z from 'zod';
import type { PortSelector, StringMatch } from '../istio-types.js';
import { parseDuration } from '../duration.js';

export const str = z.string();
export const int = z.number().int();
export const bool = z.boolean();
export const stringMap = z.record(z.string(), z.string());
export const stringList = z.array(z.string());

/** Non-negative integer (proto uint32 and the wrappers around it). */
export const uint = int.superRefine((n, ctx) => {
  if (n < 0) ctx.addIssue({ code: 'custom', message: `must not be negative, got ${n}` });
});

/** A TCP/UDP port number, 1..65535 as Istio's validation requires. */
export const port = int.superRefine((n, ctx) => {
  if (n < 1 || n > 65535) ctx.addIssue({ code: 'custom', message: `port ${n} out of range 1..65535` });
});

/** A host name as written in a spec: must not be empty. */
export const host = z.string().superRefine((s, ctx) => {
  if (s.trim() === '') ctx.addIssue({ code: 'custom', message: 'host must not be empty' });
});

/** Go-style duration string ("1.5s", "100ms", "1m"), kept as written; see duration.ts. */
export const duration = z.string().superRefine((s, ctx) => {
  try {
    parseDuration(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
  }
});

/** A percentage value: 0..100. */
export const percentValue = z.number().superRefine((n, ctx) => {
  if (n < 0 || n > 100) ctx.addIssue({ code: 'custom', message: `percentage ${n} out of range 0..100` });
});
export const percent = z.strictObject({ value: percentValue });

export const portSelector: z.ZodType<PortSelector> = z.strictObject({ number: port });

const rawStringMatch = z.strictObject({ exact: str.optional(), prefix: str.optional(), regex: str.optional() });

function toStringMatch(v: z.infer<typeof rawStringMatch>): StringMatch {
  if (v.exact !== undefined) return { exact: v.exact };
  if (v.prefix !== undefined) return { prefix: v.prefix };
  if (v.regex !== undefined) return { regex: v.regex };
  // Only reachable for header maps, where Istio reads `{}` as "header present": a regex
  // matching any value is the same condition in the StringMatch vocabulary we expose.
  return { regex: '.*' };
}

function countSet(v: z.infer<typeof rawStringMatch>): number {
  return [v.exact, v.prefix, v.regex].filter((x) => x !== undefined).length;
}

/** StringMatch: a oneof, so exactly one of exact / prefix / regex. */
export const stringMatch: z.ZodType<StringMatch> = rawStringMatch
  .superRefine((v, ctx) => {
    if (countSet(v) !== 1) ctx.addIssue({ code: 'custom', message: 'exactly one of exact, prefix, regex must be set' });
  })
  .transform(toStringMatch);

/** StringMatch in a header map: Istio also accepts `{}` (presence match) there. */
export const headerMatch: z.ZodType<StringMatch> = rawStringMatch
  .superRefine((v, ctx) => {
    if (countSet(v) > 1) ctx.addIssue({ code: 'custom', message: 'at most one of exact, prefix, regex may be set' });
  })
  .transform(toStringMatch);

/** Kubernetes ObjectMeta, tolerant of the many fields we do not read. */
export const metadata = z.object({
  name: z.string().min(1, { error: 'name must not be empty' }),
  namespace: z.string().min(1, { error: 'namespace must not be empty' }).optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  // YAML 1.1 loaders turn timestamps into dates; the yaml package's default schema does not.
  creationTimestamp: z.union([z.string(), z.date()], { error: 'expected an RFC 3339 timestamp' }).optional(),
  resourceVersion: str.optional(),
  generation: int.optional(),
  uid: str.optional(),
});
export type RawMeta = z.infer<typeof metadata>;

/** What every kind schema produces: metadata as parsed and the kind's typed spec. */
export interface Parsed<S> {
  metadata: RawMeta;
  spec: S;
}

/**
 * The envelope of an Istio object: strict (a typo like `specs:` is an error) but `status`,
 * which `kubectl get -o yaml` output carries, is accepted and ignored.
 */
export function istioObject<S>(spec: z.ZodType<S>): z.ZodType<Parsed<S>> {
  return z
    .strictObject({ apiVersion: str, kind: str, metadata, spec, status: z.unknown().optional() })
    .transform((o) => ({ metadata: o.metadata, spec: o.spec }));
}

/** Weighted destinations: Istio lets one destination omit its weight; several must sum to 100. */
export function checkWeights(
  route: readonly { weight?: number | undefined }[] | undefined,
  ctx: z.RefinementCtx,
  path: (string | number)[],
): void {
  if (!route || route.length < 2) return;
  const total = route.reduce((sum, r) => sum + (r.weight ?? 0), 0);
  if (total !== 100) {
    ctx.addIssue({ code: 'custom', path, message: `weights must sum to 100 when there are several destinations, got ${total}` });
  }
}
