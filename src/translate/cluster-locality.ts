// Locality load balancing, as Istio's loadbalancer.ApplyLocalityLoadBalancer. It depends on
// where the proxy runs, so it rewrites each proxy's copy of the endpoints:
//   distribute  the first entry whose `from` matches the proxy's locality sets each
//               locality's load_balancing_weight from `to` (a weight split over every
//               locality a wildcard matches, by their endpoint weights, rounded up);
//               localities `to` does not name lose their endpoints.
//   failover    only with outlierDetection (else Envoy never fails over): priorities by
//               proximity, 0 same region/zone/subzone, 1 same zone, 2 same region, 3 other
//               regions, 4 other regions not named by a `failover` entry from the proxy's
//               region; then renumbered 0..N without gaps.
// Istio's mesh default (localityLbSetting.enabled true) applies when a rule says nothing;
// `enabled: false` turns it all off. The proxy's locality comes from its LABELS metadata
// (topology.kubernetes.io/region, topology.kubernetes.io/zone, topology.istio.io/subzone);
// a proxy with no region gets no locality treatment.
import type { LocalityLbSetting } from '../model/istio-types.js';
import type { Locality } from '../model/service.js';
import type { PrioritizedLocalityLbEndpoints } from './cluster-envoy-types.js';
import type { Locality as EnvoyLocality } from './envoy-types.js';
import type { Proxy } from './proxy.js';

export function proxyLocality(proxy: Proxy): Locality | undefined {
  const region = proxy.labels['topology.kubernetes.io/region'] ?? '';
  if (region === '') return undefined;
  return { region, zone: proxy.labels['topology.kubernetes.io/zone'] ?? '', subZone: proxy.labels['topology.istio.io/subzone'] ?? '' };
}

/** The setting in force: the rule's unless it disables it, else the mesh default (enabled). */
export function effectiveLocalitySetting(setting: LocalityLbSetting | undefined): LocalityLbSetting | undefined {
  if (setting?.enabled === false) return undefined;
  return setting ?? { enabled: true };
}

/** Istio's LocalityMatch: `region/zone/subzone`, `*` segments and missing tails match anything. */
export function localityMatches(l: EnvoyLocality | Locality, pattern: string): boolean {
  const parts = pattern.split('/');
  const values = [l.region ?? '', l.zone ?? '', l.subZone ?? ''];
  return parts.every((p, i) => p === '*' || i >= values.length || p === values[i]);
}

function applyDistribute(proxy: Locality, groups: PrioritizedLocalityLbEndpoints[], setting: NonNullable<LocalityLbSetting['distribute']>): void {
  const rule = setting.find((d) => localityMatches(proxy, d.from));
  if (!rule) return;
  const unmatched = new Set(groups.map((_, i) => i));
  for (const [pattern, weight] of Object.entries(rule.to)) {
    const matched = [...unmatched].filter((i) => localityMatches(groups[i]!.locality, pattern));
    const total = matched.reduce((sum, i) => sum + groups[i]!.loadBalancingWeight, 0);
    for (const i of matched) {
      unmatched.delete(i);
      const w = Math.ceil((groups[i]!.loadBalancingWeight * weight) / total);
      if (w > 0) groups[i]!.loadBalancingWeight = w;
    }
  }
  for (const i of unmatched) groups[i]!.lbEndpoints = [];
}

function proximity(proxy: Locality, l: EnvoyLocality): number {
  if ((l.region ?? '') !== proxy.region) return 3;
  if ((l.zone ?? '') !== proxy.zone) return 2;
  if ((l.subZone ?? '') !== proxy.subZone) return 1;
  return 0;
}

function applyFailover(proxy: Locality, groups: PrioritizedLocalityLbEndpoints[], failover: LocalityLbSetting['failover']): void {
  const raw = groups.map((g) => {
    let p = proximity(proxy, g.locality);
    if (p === 3) {
      const rule = failover?.find((f) => f.from === proxy.region);
      if (rule && (g.locality.region ?? '') !== rule.to) p = 4;
    }
    return p;
  });
  // Priorities must run 0..N without gaps: renumber the ones in use, in order.
  const used = [...new Set(raw)].sort((a, b) => a - b);
  groups.forEach((g, i) => {
    const p = used.indexOf(raw[i]!);
    if (p > 0) g.priority = p;
    else delete g.priority;
  });
}

/**
 * Rewrites `groups` for a proxy at `proxy` (weights and priorities). `failoverEnabled` is
 * whether the cluster has outlier detection.
 */
export function applyLocalityLb(
  proxy: Locality | undefined,
  groups: PrioritizedLocalityLbEndpoints[],
  setting: LocalityLbSetting | undefined,
  failoverEnabled: boolean,
): void {
  const s = effectiveLocalitySetting(setting);
  if (!proxy || !s || groups.length === 0) return;
  if (s.distribute && s.distribute.length > 0) applyDistribute(proxy, groups, s.distribute);
  else if (failoverEnabled) applyFailover(proxy, groups, s.failover);
}

/** Whether the cluster needs Envoy's locality-weighted LB (commonLbConfig) for `setting`. */
export function needsLocalityWeightedLb(setting: LocalityLbSetting | undefined, failoverEnabled: boolean): boolean {
  const s = effectiveLocalitySetting(setting);
  if (!s) return false;
  return (s.distribute !== undefined && s.distribute.length > 0) || (failoverEnabled && s.failover !== undefined && s.failover.length > 0);
}
