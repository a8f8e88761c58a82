// loadBalancer → the cluster's lb_policy and its config, as Istio's applyLoadBalancer:
// default LEAST_REQUEST; simple ROUND_ROBIN / RANDOM / LEAST_REQUEST (LEAST_CONN is its
// deprecated name) / PASSTHROUGH (an ORIGINAL_DST cluster); consistentHash → RING_HASH
// (minimum ring 1024 unless set) or MAGLEV; warmupDurationSecs → slow start.
// Proxyless gRPC accepts only ROUND_ROBIN and RING_HASH (grpc-js-xds and C-core NACK
// anything else), so for gRPC every consistent hash is a ring hash and everything else
// round robin; cluster-warnings.ts says so once per rule. C-core before 1.52 crashes on
// RING_HASH, so given the context, such clients get round robin (grpc-client-features.ts).
import type { LoadBalancerSettings } from '../model/istio-types.js';
import type { ClusterV3 } from './cluster-envoy-types.js';
import type { TranslateContext } from './context.js';
import { needsRingHashFallback, ringHashFallbackWarning } from './grpc-client-features.js';
import { toProtoDuration } from './duration.js';

/** Envoy's (and gRPC's) default minimum ring size, which Istio writes out explicitly. */
export const DEFAULT_MIN_RING_SIZE = 1024;

function slowStart(lb: LoadBalancerSettings | undefined): { slowStartConfig: { slowStartWindow: string } } | undefined {
  const window = lb?.warmupDurationSecs ? toProtoDuration(lb.warmupDurationSecs) : undefined;
  return window ? { slowStartConfig: { slowStartWindow: window } } : undefined;
}

function applyConsistentHash(cluster: ClusterV3, lb: LoadBalancerSettings, grpc: boolean): boolean {
  const ch = lb.consistentHash;
  if (!ch) return false;
  if (ch.maglev && !grpc) {
    cluster.lbPolicy = 'MAGLEV';
    if (ch.maglev.tableSize) cluster.maglevLbConfig = { tableSize: String(ch.maglev.tableSize) };
    return true;
  }
  cluster.lbPolicy = 'RING_HASH';
  if (ch.ringHash) {
    // An explicit ringHash with no size leaves Envoy's default (Istio writes nothing).
    if (ch.ringHash.minimumRingSize) cluster.ringHashLbConfig = { minimumRingSize: String(ch.ringHash.minimumRingSize) };
  } else {
    // The deprecated top-level minimumRingSize, else Envoy's default written out as Istio does.
    cluster.ringHashLbConfig = { minimumRingSize: String(ch.minimumRingSize || DEFAULT_MIN_RING_SIZE) };
  }
  return true;
}

/** Whether a loadBalancer turns an Envoy cluster into ORIGINAL_DST (consistentHash wins). */
export function isPassthroughPolicy(lb: LoadBalancerSettings | undefined): boolean {
  return lb?.simple === 'PASSTHROUGH' && !lb.consistentHash;
}

/**
 * Sets lbPolicy (and lb config) on `cluster`. ORIGINAL_DST clusters always get
 * CLUSTER_PROVIDED; PASSTHROUGH turns the cluster into one (Envoy sidecars only).
 * `ctx` (the proxy, and where to warn) lets a gRPC client that cannot take RING_HASH get
 * round robin; without it every gRPC client is assumed able to.
 */
export function applyLoadBalancer(cluster: ClusterV3, lb: LoadBalancerSettings | undefined, grpc: boolean, ctx?: TranslateContext): void {
  delete cluster.lbPolicy;
  if (cluster.type === 'ORIGINAL_DST') {
    cluster.lbPolicy = 'CLUSTER_PROVIDED';
    return;
  }
  if (grpc && lb?.consistentHash && ctx && needsRingHashFallback(ctx.proxy)) {
    // Round robin is gRPC's default (not printed); dr-hash-policy.ts drops the hash policy.
    ctx.warn(ringHashFallbackWarning(ctx, cluster.name));
    return;
  }
  if (lb && applyConsistentHash(cluster, lb, grpc)) return;
  // gRPC: round robin (the proto default, not printed) unless hashing.
  if (grpc) return;
  const warm = slowStart(lb);
  if (isPassthroughPolicy(lb)) {
    // Istio: forward to the original destination; endpoints are not used at all.
    cluster.type = 'ORIGINAL_DST';
    cluster.lbPolicy = 'CLUSTER_PROVIDED';
    delete cluster.edsClusterConfig;
    delete cluster.loadAssignment;
    delete cluster.dnsLookupFamily;
    delete cluster.respectDnsTtl;
    return;
  }
  switch (lb?.simple) {
    case 'ROUND_ROBIN':
      if (warm) cluster.roundRobinLbConfig = warm;
      return;
    case 'RANDOM':
      cluster.lbPolicy = 'RANDOM';
      return;
    default:
      // Unset, UNSPECIFIED, LEAST_CONN and LEAST_REQUEST: Istio's default, LEAST_REQUEST.
      cluster.lbPolicy = 'LEAST_REQUEST';
      if (warm) cluster.leastRequestLbConfig = warm;
  }
}
