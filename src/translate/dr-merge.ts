// The traffic policy one cluster gets, as Istio's MergeSubsetTrafficPolicy computes it
// (pilot/pkg/networking/util): first the rule's port-level settings for the cluster's
// port, then the subset's policy (with its own port-level settings) over that.
// - A matching portLevelSettings entry replaces connectionPool, loadBalancer,
//   outlierDetection and tls WHOLESALE: a field it omits falls back to the default, not
//   to the top-level value (Istio's documented, and surprising, behaviour).
// - A subset's policy overrides the rule's per top-level field; when the subset has
//   port-level settings for the port, those four fields are replaced wholesale again.
// - tunnel, proxyProtocol and retryBudget are not port-level fields: set ones override.
import type { Subset, TrafficPolicy } from '../model/istio-types.js';

const PORT_FIELDS = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'] as const;

/** The policy without port-level settings (they have been applied by then). */
function shallow(p: TrafficPolicy): TrafficPolicy {
  const { portLevelSettings: _ignored, ...rest } = p;
  return rest;
}

function overlay(base: TrafficPolicy, top: TrafficPolicy, wholesale: boolean): TrafficPolicy {
  const out: TrafficPolicy = { ...base };
  for (const f of PORT_FIELDS) {
    if (top[f] !== undefined || wholesale) {
      // exactOptionalPropertyTypes: an unset field is deleted, never set to undefined.
      if (top[f] === undefined) delete out[f];
      else Object.assign(out, { [f]: top[f] });
    }
  }
  if (top.tunnel !== undefined) out.tunnel = top.tunnel;
  if (top.proxyProtocol !== undefined) out.proxyProtocol = top.proxyProtocol;
  if (top.retryBudget !== undefined) out.retryBudget = top.retryBudget;
  return out;
}

/** The policy for `port`, and whether a port-level entry matched. */
export function portLevelPolicy(policy: TrafficPolicy | undefined, port: number): { policy: TrafficPolicy | undefined; portLevel: boolean } {
  if (!policy) return { policy: undefined, portLevel: false };
  const match = policy.portLevelSettings?.find((p) => p.port?.number === port);
  if (!match) return { policy: shallow(policy), portLevel: false };
  const { port: _port, ...fields } = match;
  return { policy: overlay(shallow(policy), fields, true), portLevel: true };
}

/** The effective policy of cluster `outbound|port|subset|host` under a rule's policy. */
export function effectivePolicy(rulePolicy: TrafficPolicy | undefined, subset: Subset | undefined, port: number): TrafficPolicy | undefined {
  const original = portLevelPolicy(rulePolicy, port).policy;
  if (!subset?.trafficPolicy) return original;
  const sub = portLevelPolicy(subset.trafficPolicy, port);
  if (!original) return sub.policy;
  return sub.policy ? overlay(original, sub.policy, sub.portLevel) : original;
}
