// DestinationRule lookups: the subsets of a host and the load-balancer policy of a cluster.
// Only `loadBalancer.simple` is translated in this issue. Connection pool, outlier
// detection, TLS, consistent hash, locality LB, tunnel and proxy protocol are a later
// issue (TODO(dr-policies)); we warn about them instead of emitting half of them.
import type { ConfigObject } from '../model/config.js';
import type { LoadBalancerSettings, PortTrafficPolicy, Subset, TrafficPolicy } from '../model/istio-types.js';
import type { TranslateContext } from './context.js';
import { compareStrings, objectRef } from './context.js';
import type { LbPolicy } from './envoy-types.js';

export type DestinationRule = ConfigObject<'DestinationRule'>;

export function destinationRuleFor(ctx: TranslateContext, host: string): DestinationRule | undefined {
  return ctx.push.destinationRuleByHost.get(host);
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

function portLevel(policy: TrafficPolicy | undefined, port: number): PortTrafficPolicy | undefined {
  return policy?.portLevelSettings?.find((p) => p.port?.number === port);
}

/**
 * The effective loadBalancer settings, most specific first as Istio merges them: the
 * subset's port-level settings, the subset's policy, the rule's port-level settings,
 * the rule's policy.
 */
function effectiveLb(dr: DestinationRule, port: number, subset: Subset | undefined): LoadBalancerSettings | undefined {
  return (
    portLevel(subset?.trafficPolicy, port)?.loadBalancer ??
    subset?.trafficPolicy?.loadBalancer ??
    portLevel(dr.spec.trafficPolicy, port)?.loadBalancer ??
    dr.spec.trafficPolicy?.loadBalancer
  );
}

/**
 * The cluster's lbPolicy; undefined means ROUND_ROBIN (the proto default, never printed).
 * Istio's default when no rule says otherwise is LEAST_REQUEST. `grpc` restricts the
 * result to what proxyless clients accept: grpc-js-xds rejects a cluster whose lb_policy is
 * anything but ROUND_ROBIN or RING_HASH, so gRPC clusters are always ROUND_ROBIN here.
 */
export function lbPolicyFor(
  ctx: TranslateContext,
  host: string,
  port: number,
  subset: Subset | undefined,
  grpc: boolean,
): LbPolicy | undefined {
  const dr = destinationRuleFor(ctx, host);
  const lb = dr ? effectiveLb(dr, port, subset) : undefined;
  const simple = lb?.simple;
  if (dr && lb && lb.consistentHash) {
    ctx.warn({ object: objectRef(dr), field: 'trafficPolicy.loadBalancer.consistentHash', message: 'consistentHash is not translated yet; the default load balancer is used' });
  }
  if (dr && lb && lb.localityLbSetting) {
    ctx.warn({ object: objectRef(dr), field: 'trafficPolicy.loadBalancer.localityLbSetting', message: 'localityLbSetting is not translated yet' });
  }
  if (grpc) {
    if (dr && simple && simple !== 'ROUND_ROBIN' && simple !== 'UNSPECIFIED') {
      ctx.warn({ object: objectRef(dr), field: 'trafficPolicy.loadBalancer.simple', message: `${simple} is not supported by proxyless gRPC clients; ROUND_ROBIN is used for them` });
    }
    return undefined;
  }
  switch (simple) {
    case 'ROUND_ROBIN':
      return undefined;
    case 'RANDOM':
      return 'RANDOM';
    case 'PASSTHROUGH':
      if (dr) ctx.warn({ object: objectRef(dr), field: 'trafficPolicy.loadBalancer.simple', message: 'PASSTHROUGH (ORIGINAL_DST) is not translated yet; LEAST_REQUEST is used' });
      return 'LEAST_REQUEST';
    // LEAST_CONN is the deprecated name of LEAST_REQUEST.
    default:
      return 'LEAST_REQUEST';
  }
}

const POLICY_FIELDS = ['connectionPool', 'outlierDetection', 'tls', 'tunnel', 'proxyProtocol'] as const;

/** Warns once per rule about the traffic policy fields this issue does not translate. */
export function warnUntranslatedPolicy(ctx: TranslateContext, dr: DestinationRule): void {
  const check = (policy: TrafficPolicy | PortTrafficPolicy | undefined, path: string): void => {
    if (!policy) return;
    for (const f of POLICY_FIELDS) {
      if ((policy as Record<string, unknown>)[f] !== undefined) {
        ctx.warn({ object: objectRef(dr), field: `${path}.${f}`, message: `${f} is not translated yet (TODO: DestinationRule policies issue)` });
      }
    }
  };
  check(dr.spec.trafficPolicy, 'spec.trafficPolicy');
  dr.spec.trafficPolicy?.portLevelSettings?.forEach((p, i) => check(p, `spec.trafficPolicy.portLevelSettings[${i}]`));
  dr.spec.subsets?.forEach((s, i) => {
    check(s.trafficPolicy, `spec.subsets[${i}].trafficPolicy`);
    s.trafficPolicy?.portLevelSettings?.forEach((p, j) => check(p, `spec.subsets[${i}].trafficPolicy.portLevelSettings[${j}]`));
  });
  if (dr.spec.workloadSelector) {
    ctx.warn({ object: objectRef(dr), field: 'spec.workloadSelector', message: 'workloadSelector is not supported yet; the rule applies to every proxy' });
  }
}
