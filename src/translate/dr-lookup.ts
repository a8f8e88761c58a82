// Which DestinationRule applies to a host, for one proxy, in Istio's order
// (pilot/pkg/model/push_context.go, destinationRule()):
//   1. rules in the proxy's own namespace (any exportTo but "~"), most specific host first;
//   2. else rules in the service's namespace exported to the proxy's namespace;
//   3. else rules in the root namespace exported to the proxy's namespace.
// A proxy in the root namespace only sees the root namespace's private rules in step 1,
// so that mesh-wide defaults there do not shadow a service's own rule.
// Hosts match exactly first, then by the longest wildcard (`*.example.com`, `*`).
// Within one namespace, rules for one host with the same exportTo are merged as Istio
// does (oldest first: first traffic policy wins, subsets unioned, first name wins);
// rules with different exportTo stay separate and the first one exported to the proxy wins.
import type { ConfigObject } from '../model/config.js';
import { byCreation } from '../model/config-order.js';
import { resolveHost } from '../model/host.js';
import type { DestinationRuleSpec } from '../model/istio-types.js';
import type { PushContext } from '../push/push-context.js';
import type { TranslateContext } from './context.js';

export type DestinationRule = ConfigObject<'DestinationRule'>;

/**
 * The PushContext as this lookup would like it: every rule, unmerged, in creation order.
 * Until push-context.ts carries `destinationRules`, the merged per-host map stands in
 * (one rule per host, so namespace precedence degenerates but exportTo still applies).
 */
interface PushWithRules extends PushContext {
  readonly destinationRules?: readonly DestinationRule[];
}

interface Consolidated {
  rule: DestinationRule;
  /** exportTo as written; empty = Istio's default, exported everywhere. */
  exportTo: ReadonlySet<string>;
}

type HostIndex = Map<string, Consolidated[]>;

interface DrIndex {
  /** namespace → rules that apply to proxies in that namespace. */
  local: Map<string, HostIndex>;
  /** namespace → rules exported beyond their namespace. */
  exported: Map<string, HostIndex>;
  /** The root namespace's private rules (step 1 for proxies in the root namespace). */
  rootLocal: HostIndex;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Istio's mergeDestinationRule: same host, same exportTo → one rule; else kept apart. */
function addRule(index: HostIndex, host: string, dr: DestinationRule, exportTo: ReadonlySet<string>): void {
  const list = index.get(host) ?? [];
  index.set(host, list);
  const same = list.find((c) => sameSet(c.exportTo, exportTo));
  if (!same) {
    list.push({ rule: dr, exportTo });
    return;
  }
  const prev = same.rule.spec;
  const names = new Set((prev.subsets ?? []).map((s) => s.name));
  const merged: DestinationRuleSpec = { ...prev, subsets: [...(prev.subsets ?? []), ...(dr.spec.subsets ?? []).filter((s) => !names.has(s.name))] };
  if (merged.trafficPolicy === undefined && dr.spec.trafficPolicy !== undefined) merged.trafficPolicy = dr.spec.trafficPolicy;
  same.rule = { ...same.rule, spec: merged };
}

function indexFor(map: Map<string, HostIndex>, ns: string): HostIndex {
  let idx = map.get(ns);
  if (!idx) {
    idx = new Map();
    map.set(ns, idx);
  }
  return idx;
}

function buildIndex(push: PushWithRules): DrIndex {
  const rules = [...(push.destinationRules ?? push.destinationRuleByHost.values())].sort(byCreation);
  const out: DrIndex = { local: new Map(), exported: new Map(), rootLocal: new Map() };
  const root = push.mesh.rootNamespace;
  for (const dr of rules) {
    // Rules with a workloadSelector are not supported yet (warned by the cluster builder).
    if (dr.spec.workloadSelector) continue;
    const ns = dr.metadata.namespace;
    const host = resolveHost(dr.spec.host, ns);
    const exportTo: ReadonlySet<string> = new Set(dr.spec.exportTo ?? []);
    if (exportTo.size === 1 && exportTo.has('~')) continue; // exported to no one
    if (exportTo.size === 0 || exportTo.has('*') || exportTo.has('.') || exportTo.has(ns)) {
      addRule(indexFor(out.local, ns), host, dr, exportTo);
    }
    const privateOnly = exportTo.size === 1 && (exportTo.has('.') || exportTo.has(ns));
    if (!privateOnly) addRule(indexFor(out.exported, ns), host, dr, exportTo);
    else if (ns === root) addRule(out.rootLocal, host, dr, exportTo);
  }
  return out;
}

// One index per snapshot: PushContexts are immutable, so the index can never go stale.
const cache = new WeakMap<PushContext, DrIndex>();

function drIndex(push: PushContext): DrIndex {
  let idx = cache.get(push);
  if (!idx) {
    idx = buildIndex(push);
    cache.set(push, idx);
  }
  return idx;
}

/** Whether a rule host (maybe `*.suffix` or `*`) covers `host`. */
export function hostCovers(ruleHost: string, host: string): boolean {
  if (ruleHost === host || ruleHost === '*') return true;
  return ruleHost.startsWith('*.') && host.endsWith(ruleHost.slice(1)) && host.length > ruleHost.length - 1;
}

/** Istio's MostSpecificHostMatch: the exact host, else the longest wildcard covering it. */
export function mostSpecificHost(host: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const c of candidates) {
    if (c === host) return c;
    if (c.startsWith('*') && hostCovers(c, host) && (best === undefined || c.length > best.length)) best = c;
  }
  return best;
}

function fromIndex(index: HostIndex | undefined, host: string, accept: (c: Consolidated) => boolean): DestinationRule | undefined {
  if (!index) return undefined;
  const match = mostSpecificHost(host, index.keys());
  if (match === undefined) return undefined;
  return index.get(match)?.find(accept)?.rule;
}

function exportedTo(client: string): (c: Consolidated) => boolean {
  return (c) => c.exportTo.size === 0 || c.exportTo.has('*') || c.exportTo.has(client);
}

/** The (merged) DestinationRule that applies to `host` for this proxy, if any. */
export function lookupDestinationRule(ctx: TranslateContext, host: string): DestinationRule | undefined {
  const idx = drIndex(ctx.push);
  const proxyNs = ctx.proxy.namespace;
  const root = ctx.push.mesh.rootNamespace;
  const any = (): boolean => true;
  const local = proxyNs === root ? fromIndex(idx.rootLocal, host, any) : fromIndex(idx.local.get(proxyNs), host, any);
  if (local) return local;
  const svcNs = ctx.push.serviceByHost.get(host)?.namespace;
  if (svcNs !== undefined) {
    const fromService = fromIndex(idx.exported.get(svcNs), host, exportedTo(proxyNs));
    if (fromService) return fromService;
  }
  return fromIndex(idx.exported.get(root), host, exportedTo(proxyNs));
}
