// outboundTrafficPolicy on virtualOutbound: under REGISTRY_ONLY, Istio's catch-all chain
// (PassthroughFilterChain) proxies to BlackHoleCluster instead of PassthroughCluster, so a
// connection to an address no listener knows is dropped rather than let out. The policy is
// the proxy's Sidecar's, else the mesh's (ctx.push.mesh is already scoped, see context.ts).
import type { Listener } from './envoy-types.js';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER, TCP_PROXY_FILTER, VIRTUAL_OUTBOUND_LISTENER } from './names.js';
import type { OutboundPolicy } from './sidecar-scope.js';

/**
 * The listeners with virtualOutbound's passthrough chain pointed at BlackHoleCluster when
 * the policy is REGISTRY_ONLY; the same objects otherwise (and when a builder already did it).
 * Returns new objects for what it changes: listeners may be shared by cached results.
 */
export function applyOutboundPolicy<L extends Listener>(listeners: L[], policy: OutboundPolicy): L[] {
  if (policy !== 'REGISTRY_ONLY') return listeners;
  return listeners.map((l) => {
    if (l.name !== VIRTUAL_OUTBOUND_LISTENER || !l.filterChains) return l;
    const filterChains = l.filterChains.map((fc) => ({
      ...fc,
      filters: fc.filters.map((f) =>
        f.name === TCP_PROXY_FILTER && f.typedConfig.cluster === PASSTHROUGH_CLUSTER
          ? { ...f, typedConfig: { ...f.typedConfig, statPrefix: BLACKHOLE_CLUSTER, cluster: BLACKHOLE_CLUSTER } }
          : f,
      ),
    }));
    return { ...l, filterChains };
  });
}
