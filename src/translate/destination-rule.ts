// DestinationRule lookups every generator shares: the rule that applies to a host for this
// proxy (dr-lookup.ts: namespaces, exportTo, wildcard hosts), its subsets, and the traffic
// policy of one cluster (dr-merge.ts: port-level settings, subset over rule). CDS, EDS and
// RDS all go through here, so a route never names a subset cluster that CDS lacks.
import type { Subset, TrafficPolicy } from '../model/istio-types.js';
import type { TranslateContext } from './context.js';
import { compareStrings, objectRef } from './context.js';
import { lookupDestinationRule, type DestinationRule } from './dr-lookup.js';
import { effectivePolicy } from './dr-merge.js';

export type { DestinationRule } from './dr-lookup.js';

export function destinationRuleFor(ctx: TranslateContext, host: string): DestinationRule | undefined {
  return lookupDestinationRule(ctx, host);
}

/**
 * The subsets of the rule for `host`, sorted by name. A repeated subset name keeps the
 * first definition (Istio's validation rejects duplicates; we only guard against them).
 */
export function subsetsFor(ctx: TranslateContext, host: string): Subset[] {
  const dr = destinationRuleFor(ctx, host);
  if (!dr) return [];
  const byName = new Map<string, Subset>();
  (dr.spec.subsets ?? []).forEach((s, i) => {
    if (byName.has(s.name)) {
      ctx.warn({ object: objectRef(dr), field: `spec.subsets[${i}].name`, message: `duplicate subset "${s.name}" ignored` });
      return;
    }
    byName.set(s.name, s);
  });
  return [...byName.values()].sort((a, b) => compareStrings(a.name, b.name));
}

export function findSubset(ctx: TranslateContext, host: string, name: string): Subset | undefined {
  return subsetsFor(ctx, host).find((s) => s.name === name);
}

/** Workload labels satisfy a subset when they include every subset label. */
export function matchesSubset(labels: Record<string, string>, subset: Subset | undefined): boolean {
  if (!subset) return true;
  return Object.entries(subset.labels ?? {}).every(([k, v]) => labels[k] === v);
}

/** The traffic policy of cluster `outbound|port|subset|host` for this proxy (undefined: none). */
export function clusterPolicy(ctx: TranslateContext, host: string, port: number, subset: Subset | undefined): TrafficPolicy | undefined {
  const dr = destinationRuleFor(ctx, host);
  return dr ? effectivePolicy(dr.spec.trafficPolicy, subset, port) : undefined;
}
