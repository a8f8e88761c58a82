// ServiceEntry → one Service per host, with endpoints from the inline `endpoints`, or from
// the WorkloadEntries and Pods its workloadSelector picks (as Istio), or for DNS
// resolution without either, the host itself.
import type { ConfigObject } from './config.js';
import { serviceEntryProtocol } from './protocol.js';
import { labelsMatch, podEndpoint, runningPodIP, type WorkloadIndex } from './registry-index.js';
import { selectedWorkloadEntries, workloadEndpoints } from './registry-workload-entry.js';
import { EMPTY_LOCALITY, type Endpoint, type Service, type ServicePort } from './service.js';

export function serviceEntryToServices(obj: ConfigObject<'ServiceEntry'>): Service[] {
  const spec = obj.spec;
  const ports = (spec.ports ?? []).map((p) => {
    const sp: ServicePort = { name: p.name, port: p.number, protocol: serviceEntryProtocol(p.protocol) };
    if (p.targetPort !== undefined) sp.targetPort = p.targetPort;
    return sp;
  });
  return spec.hosts.map((host) => {
    const s: Service = {
      hostname: host,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      addresses: [...(spec.addresses ?? [])],
      ports,
      labels: obj.metadata.labels,
      // Istio's defaults: resolution NONE, location MESH_EXTERNAL (enum value 0).
      resolution: spec.resolution ?? 'NONE',
      location: spec.location ?? 'MESH_EXTERNAL',
      exportTo: spec.exportTo && spec.exportTo.length > 0 ? [...spec.exportTo] : ['*'],
      origin: 'serviceentry',
    };
    const sel = spec.workloadSelector?.labels;
    if (sel) s.selector = sel;
    return s;
  });
}

function selectedPods(idx: WorkloadIndex, namespace: string, selector: Record<string, string>, ports: readonly ServicePort[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const pod of idx.podsByNamespace.get(namespace) ?? []) {
    const ip = runningPodIP(pod);
    if (!ip || !labelsMatch(selector, pod.metadata.labels)) continue;
    for (const sp of ports) {
      out.push(podEndpoint(pod, ip, typeof sp.targetPort === 'number' ? sp.targetPort : sp.port, sp.name));
    }
  }
  return out;
}

export function serviceEntryEndpoints(idx: WorkloadIndex, obj: ConfigObject<'ServiceEntry'>, service: Service): Endpoint[] {
  const spec = obj.spec;
  if (spec.endpoints && spec.endpoints.length > 0) {
    return spec.endpoints.flatMap((we) => workloadEndpoints(we, we.labels ?? {}, service.ports));
  }
  const selector = spec.workloadSelector?.labels;
  if (spec.workloadSelector) {
    // An empty selector selects nothing here: Istio would select every workload in the
    // namespace, which is never what a ServiceEntry author means.
    if (!selector || Object.keys(selector).length === 0) return [];
    return [
      ...selectedWorkloadEntries(idx, obj.metadata.namespace, selector, service.ports),
      ...selectedPods(idx, obj.metadata.namespace, selector, service.ports),
    ];
  }
  // DNS without endpoints: Envoy resolves the host itself (not for wildcard hosts).
  if ((service.resolution === 'DNS' || service.resolution === 'DNS_ROUND_ROBIN') && !service.hostname.includes('*')) {
    return service.ports.map((sp) => ({
      address: service.hostname,
      port: typeof sp.targetPort === 'number' ? sp.targetPort : sp.port,
      servicePortName: sp.name,
      labels: {},
      locality: { ...EMPTY_LOCALITY },
      weight: 1,
      healthy: true,
    }));
  }
  return [];
}
