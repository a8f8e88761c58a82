// Which xDS types a config change can alter, by the kind of the changed object: a full push
// recomputes only those types for each proxy (Istio's per-type xdsNeedsPush in cds.go,
// eds.go, lds.go, rds.go). The table follows what our generators read from the PushContext:
//
//   CDS  services, DestinationRules, endpoints (STATIC/DNS clusters inline them)
//   EDS  services, endpoints, DestinationRule subsets
//   LDS  services, endpoints (a sidecar's inbound listener follows its own pod's endpoints);
//        listeners name route configs and clusters, never VS/DR content
//   RDS  services, VirtualServices, DestinationRule subsets (missing-subset checks)
//
// Anything not listed (a kind added later, e.g. Sidecar) affects every type: a wrong "no"
// leaves proxies stale, a wrong "yes" only costs a recompute that sends nothing.
// Keep this table in step with src/translate when a generator starts reading a new input.
import type { ConfigKey } from '../model/config.js';
import { TypeUrl } from '../translate/api.js';
import type { XdsTypeUrl } from '../translate/api.js';

const ALL: readonly XdsTypeUrl[] = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration];

const BY_KIND: Readonly<Record<string, readonly XdsTypeUrl[]>> = {
  Service: ALL,
  ServiceEntry: ALL,
  WorkloadEntry: ALL,
  Endpoints: [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener],
  EndpointSlice: [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener],
  Pod: [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener],
  DestinationRule: [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.RouteConfiguration],
  VirtualService: [TypeUrl.RouteConfiguration],
};

/** The types `changed` can affect; undefined (unknown change) = every type. */
export function affectedTypes(changed: readonly ConfigKey[] | undefined): ReadonlySet<XdsTypeUrl> {
  if (changed === undefined) return new Set(ALL);
  const out = new Set<XdsTypeUrl>();
  for (const k of changed) {
    for (const t of BY_KIND[k.kind] ?? ALL) out.add(t);
    if (out.size === ALL.length) break;
  }
  return out;
}
