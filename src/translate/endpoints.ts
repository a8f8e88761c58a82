// EDS: one ClusterLoadAssignment per EDS cluster (`outbound|PORT|SUBSET|HOST`).
// Endpoints are grouped by locality, and every LocalityLbEndpoints carries the sum of its
// endpoints' weights: grpc-js-xds drops a locality without load_balancing_weight. The
// DestinationRule's locality settings then rewrite weights and priorities for the proxy's
// own locality (cluster-locality.ts), so EDS output depends on where the proxy runs.
import type { Subset } from '../model/istio-types.js';
import type { Endpoint, Locality, Service, ServicePort } from '../model/service.js';
import { isPassthroughPolicy } from './cluster-lb.js';
import { applyLocalityLb, proxyLocality } from './cluster-locality.js';
import type { PrioritizedLocalityLbEndpoints } from './cluster-envoy-types.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import { clusterPolicy, findSubset, matchesSubset, subsetsFor } from './destination-rule.js';
import type { ClusterLoadAssignment, LbEndpoint, Locality as EnvoyLocality, LocalityLbEndpoints } from './envoy-types.js';
import { outboundClusterName, parseClusterName } from './names.js';
import { sortedPorts, visibleServices } from './services.js';

/** The endpoints of `svc` that serve `port`, restricted to `subset`'s labels, sorted. */
export function endpointsFor(ctx: TranslateContext, svc: Service, port: ServicePort, subset: Subset | undefined): Endpoint[] {
  const all = ctx.push.endpointsByHost.get(svc.hostname) ?? [];
  return all
    .filter((e) => e.servicePortName === port.name && matchesSubset(e.labels, subset))
    .sort((a, b) => compareStrings(a.address, b.address) || a.port - b.port);
}

function localityKey(l: Locality): string {
  return `${l.region}/${l.zone}/${l.subZone}`;
}

function envoyLocality(l: Locality): EnvoyLocality {
  // proto3 JSON omits empty strings; an all-empty locality prints as {}.
  const out: EnvoyLocality = {};
  if (l.region) out.region = l.region;
  if (l.zone) out.zone = l.zone;
  if (l.subZone) out.subZone = l.subZone;
  return out;
}

/** Groups endpoints into LocalityLbEndpoints, localities sorted by region/zone/subZone. */
export function localityLbEndpoints(endpoints: readonly Endpoint[]): LocalityLbEndpoints[] {
  const groups = new Map<string, { locality: Locality; lb: LbEndpoint[]; weight: number }>();
  for (const e of endpoints) {
    const key = localityKey(e.locality);
    let g = groups.get(key);
    if (!g) {
      g = { locality: e.locality, lb: [], weight: 0 };
      groups.set(key, g);
    }
    const weight = Math.max(1, Math.floor(e.weight));
    g.lb.push({
      endpoint: { address: { socketAddress: { address: e.address, portValue: e.port } } },
      healthStatus: e.healthy ? 'HEALTHY' : 'UNHEALTHY',
      loadBalancingWeight: weight,
    });
    g.weight += weight;
  }
  return [...groups.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, g]) => ({ locality: envoyLocality(g.locality), lbEndpoints: g.lb, loadBalancingWeight: g.weight }));
}

export function buildLoadAssignment(
  ctx: TranslateContext,
  clusterName: string,
  svc: Service,
  port: ServicePort,
  subset: Subset | undefined,
): ClusterLoadAssignment {
  const groups: PrioritizedLocalityLbEndpoints[] = localityLbEndpoints(endpointsFor(ctx, svc, port, subset));
  const policy = clusterPolicy(ctx, svc.hostname, port.port, subset);
  applyLocalityLb(proxyLocality(ctx.proxy), groups, policy?.loadBalancer?.localityLbSetting, policy?.outlierDetection !== undefined);
  // An empty CLA is still sent: a client waiting on the cluster must learn it is empty.
  return groups.length > 0 ? { clusterName, endpoints: groups } : { clusterName };
}

/** Whether a service's clusters are EDS clusters (Istio: STATIC resolution = EDS). */
export function usesEds(svc: Service): boolean {
  return svc.resolution === 'STATIC';
}

/**
 * Whether CDS makes `outbound|port|subset|host` an EDS cluster: the service resolves
 * STATIC and (for Envoy) no PASSTHROUGH load balancer turned it into ORIGINAL_DST.
 */
function isEdsCluster(ctx: TranslateContext, svc: Service, port: ServicePort, subset: Subset | undefined): boolean {
  if (!usesEds(svc)) return false;
  return ctx.proxy.kind === 'grpc' || !isPassthroughPolicy(clusterPolicy(ctx, svc.hostname, port.port, subset)?.loadBalancer);
}

/** Every EDS cluster name this proxy knows, sorted: the service-wide and subset clusters. */
export function edsClusterNames(ctx: TranslateContext): string[] {
  const out: string[] = [];
  for (const svc of visibleServices(ctx)) {
    if (!usesEds(svc)) continue;
    const subsets = subsetsFor(ctx, svc.hostname);
    for (const p of sortedPorts(svc)) {
      if (p.protocol === 'UDP') continue;
      for (const s of [undefined, ...subsets]) {
        if (isEdsCluster(ctx, svc, p, s)) out.push(outboundClusterName(svc.hostname, p.port, s?.name ?? ''));
      }
    }
  }
  return [...new Set(out)].sort(compareStrings);
}

/**
 * The CLA for one requested cluster name, or undefined when the name is not an EDS cluster
 * this proxy knows (unknown names are omitted from the response). `visible` is
 * visibleServices() by hostname, built once per request rather than once per name.
 */
export function loadAssignmentByName(
  ctx: TranslateContext,
  name: string,
  visible: ReadonlyMap<string, Service>,
): ClusterLoadAssignment | undefined {
  const parsed = parseClusterName(name);
  if (!parsed) return undefined;
  const svc = visible.get(parsed.host);
  if (!svc || !usesEds(svc)) return undefined;
  const port = sortedPorts(svc).find((p) => p.port === parsed.port && p.protocol !== 'UDP');
  if (!port) return undefined;
  let subset: Subset | undefined;
  if (parsed.subset !== '') {
    subset = findSubset(ctx, svc.hostname, parsed.subset);
    if (!subset) return undefined;
  }
  if (!isEdsCluster(ctx, svc, port, subset)) return undefined;
  return buildLoadAssignment(ctx, name, svc, port, subset);
}
