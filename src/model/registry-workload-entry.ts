// WorkloadEntries as endpoints: selected by a Kubernetes Service's selector or by a
// ServiceEntry's workloadSelector (Istio does both), or written inline in a ServiceEntry.
import type { ConfigObject } from './config.js';
import type { WorkloadEntrySpec } from './istio-types.js';
import { labelsMatch, localityFromLabels, type WorkloadIndex } from './registry-index.js';
import type { Endpoint, Locality, ServicePort } from './service.js';

/** WorkloadEntry `locality` is "region/zone/subzone"; without it, the topology labels. */
function weLocality(spec: WorkloadEntrySpec, labels: Record<string, string>): Locality {
  if (!spec.locality) return localityFromLabels(labels);
  const [region = '', zone = '', subZone = ''] = spec.locality.split('/');
  return { region, zone, subZone };
}

function targetPortOf(spec: WorkloadEntrySpec, p: ServicePort): number {
  if (typeof p.targetPort === 'string') return spec.ports?.[p.targetPort] ?? p.port;
  return p.targetPort ?? p.port;
}

/**
 * One endpoint per service port. The port is the entry's `ports[portName]`, else for a
 * named targetPort (a Kubernetes Service's `targetPort: http`) the entry's port of that
 * name, else the numeric targetPort, else the service port itself (Istio's order).
 */
export function workloadEndpoints(
  spec: WorkloadEntrySpec,
  labels: Record<string, string>,
  ports: readonly ServicePort[],
  owner?: { name: string; namespace: string },
): Endpoint[] {
  if (!spec.address) return []; // address-less entries are reached via network gateways: not modelled
  const address = spec.address;
  return ports.map((p) => {
    const ep: Endpoint = {
      address,
      port: spec.ports?.[p.name] ?? targetPortOf(spec, p),
      servicePortName: p.name,
      labels,
      locality: weLocality(spec, labels),
      weight: spec.weight && spec.weight > 0 ? spec.weight : 1,
      healthy: true,
    };
    if (owner) {
      ep.workloadName = owner.name;
      ep.namespace = owner.namespace;
    }
    return ep;
  });
}

/** Istio merges the entry's spec labels with its metadata labels, metadata winning. */
export function workloadEntryLabels(we: ConfigObject<'WorkloadEntry'>): Record<string, string> {
  return { ...(we.spec.labels ?? {}), ...we.metadata.labels };
}

/** Endpoints of the WorkloadEntries in `namespace` whose labels match `selector`. */
export function selectedWorkloadEntries(
  idx: WorkloadIndex,
  namespace: string,
  selector: Record<string, string>,
  ports: readonly ServicePort[],
): Endpoint[] {
  const out: Endpoint[] = [];
  for (const we of idx.workloadEntriesByNamespace.get(namespace) ?? []) {
    const labels = workloadEntryLabels(we);
    if (!labelsMatch(selector, labels)) continue;
    out.push(...workloadEndpoints(we.spec, labels, ports, { name: we.metadata.name, namespace }));
  }
  return out;
}
