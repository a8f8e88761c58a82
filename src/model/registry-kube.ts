// Kubernetes Services → Services, and their endpoints, found as Kubernetes itself would:
// EndpointSlices if any exist for the service, else the Endpoints object, else what the
// endpoints controller would make from the selected Pods. Selected WorkloadEntries are
// added in every case (Istio does this).
import type { ConfigObject } from './config.js';
import type { KubeEndpointPort } from './kube-types.js';
import { inferPortProtocol } from './protocol.js';
import { localityFromLabels, podEndpoint, runningPodIP, labelsMatch, type WorkloadIndex } from './registry-index.js';
import { selectedWorkloadEntries } from './registry-workload-entry.js';
import { EMPTY_LOCALITY, serviceHostname, type Endpoint, type Service, type ServicePort } from './service.js';

export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

function exportTo(annotations: Record<string, string>): string[] {
  const v = annotations[EXPORT_TO_ANNOTATION];
  if (!v) return ['*'];
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Resolution: ExternalName is DNS to the external name (and mesh-external, as Istio);
 * headless (clusterIP None) is passthrough to the original destination; else EDS (STATIC).
 */
export function kubeServiceToService(obj: ConfigObject<'Service'>): Service {
  const spec = obj.spec;
  const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  const headless = spec.clusterIP === 'None';
  const external = spec.type === 'ExternalName';
  const service: Service = {
    hostname: serviceHostname(obj.metadata.name, obj.metadata.namespace),
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
    addresses: ips.filter((ip) => ip !== '' && ip !== 'None'),
    ports: (spec.ports ?? []).map((p) => {
      const sp: ServicePort = { name: p.name ?? '', port: p.port, protocol: inferPortProtocol(p) };
      if (p.targetPort !== undefined) sp.targetPort = p.targetPort;
      return sp;
    }),
    labels: obj.metadata.labels,
    resolution: external ? 'DNS' : headless ? 'NONE' : 'STATIC',
    location: external ? 'MESH_EXTERNAL' : 'MESH_INTERNAL',
    exportTo: exportTo(obj.metadata.annotations),
    origin: 'kubernetes',
  };
  if (spec.selector && Object.keys(spec.selector).length > 0 && !external) service.selector = spec.selector;
  return service;
}

/** Kubernetes names a slice/Endpoints port after the service port ('' when unnamed). */
function portFor(ports: readonly KubeEndpointPort[] | undefined, sp: ServicePort): number | undefined {
  return ports?.find((p) => (p.name ?? '') === sp.name)?.port;
}

function podFor(
  idx: WorkloadIndex,
  ref: { kind?: string; name?: string; namespace?: string } | undefined,
  namespace: string,
): ConfigObject<'Pod'> | undefined {
  if (!ref?.name || (ref.kind !== undefined && ref.kind !== 'Pod')) return undefined;
  return idx.store.get('Pod', ref.namespace ?? namespace, ref.name);
}

function fromSlices(idx: WorkloadIndex, slices: readonly ConfigObject<'EndpointSlice'>[], service: Service): Endpoint[] {
  const out: Endpoint[] = [];
  for (const slice of slices) {
    if (slice.spec.addressType === 'FQDN') continue; // Istio ignores FQDN slices too
    for (const sp of service.ports) {
      const port = portFor(slice.spec.ports, sp);
      if (port === undefined) continue;
      for (const e of slice.spec.endpoints) {
        const pod = podFor(idx, e.targetRef, service.namespace);
        const labels = pod?.metadata.labels ?? {};
        for (const address of e.addresses) {
          out.push({
            address,
            port,
            servicePortName: sp.name,
            labels,
            locality: localityFromLabels(labels, e.zone ?? ''),
            weight: 1,
            healthy: e.conditions?.ready !== false,
            ...(pod ? { workloadName: pod.metadata.name, namespace: pod.metadata.namespace } : {}),
          });
        }
      }
    }
  }
  return out;
}

function fromEndpoints(idx: WorkloadIndex, obj: ConfigObject<'Endpoints'>, service: Service): Endpoint[] {
  const out: Endpoint[] = [];
  for (const subset of obj.spec.subsets) {
    for (const sp of service.ports) {
      const port = portFor(subset.ports, sp);
      if (port === undefined) continue;
      const groups = [
        { addrs: subset.addresses ?? [], healthy: true },
        { addrs: subset.notReadyAddresses ?? [], healthy: false },
      ];
      for (const { addrs, healthy } of groups) {
        for (const a of addrs) {
          const pod = podFor(idx, a.targetRef, service.namespace);
          const labels = pod?.metadata.labels ?? {};
          out.push({
            address: a.ip,
            port,
            servicePortName: sp.name,
            labels,
            locality: pod ? localityFromLabels(labels) : { ...EMPTY_LOCALITY },
            weight: 1,
            healthy,
            ...(pod ? { workloadName: pod.metadata.name, namespace: pod.metadata.namespace } : {}),
          });
        }
      }
    }
  }
  return out;
}

/** targetPort against the pod's container ports: a name the pod lacks means no endpoint. */
function podTargetPort(pod: ConfigObject<'Pod'>, sp: ServicePort): number | undefined {
  if (sp.targetPort === undefined) return sp.port;
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  for (const c of pod.spec.spec.containers ?? []) {
    const p = c.ports?.find((cp) => cp.name === sp.targetPort);
    if (p) return p.containerPort;
  }
  return undefined;
}

/** What the Kubernetes endpoints controller would make: running, selected pods. */
export function fromPods(idx: WorkloadIndex, namespace: string, selector: Record<string, string>, ports: readonly ServicePort[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const pod of idx.podsByNamespace.get(namespace) ?? []) {
    const ip = runningPodIP(pod);
    if (!ip || !labelsMatch(selector, pod.metadata.labels)) continue;
    for (const sp of ports) {
      const port = podTargetPort(pod, sp);
      if (port === undefined) continue;
      out.push(podEndpoint(pod, ip, port, sp.name));
    }
  }
  return out;
}

export function kubeServiceEndpoints(idx: WorkloadIndex, obj: ConfigObject<'Service'>, service: Service): Endpoint[] {
  if (obj.spec.type === 'ExternalName') {
    const target = obj.spec.externalName;
    if (!target) return [];
    return service.ports.map((sp) => ({
      address: target,
      port: sp.port,
      servicePortName: sp.name,
      labels: {},
      locality: { ...EMPTY_LOCALITY },
      weight: 1,
      healthy: true,
    }));
  }
  const { namespace, name } = obj.metadata;
  const slices = idx.slicesByService.get(`${namespace}/${name}`);
  const endpointsObj = idx.store.get('Endpoints', namespace, name);
  let out: Endpoint[];
  if (slices && slices.length > 0) out = fromSlices(idx, slices, service);
  else if (endpointsObj) out = fromEndpoints(idx, endpointsObj, service);
  else if (service.selector) out = fromPods(idx, namespace, service.selector, service.ports);
  else out = [];
  if (service.selector) out.push(...selectedWorkloadEntries(idx, namespace, service.selector, service.ports));
  return out;
}
