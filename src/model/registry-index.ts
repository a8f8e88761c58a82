// Lookup tables over the store that endpoint derivation needs several times per build:
// pods and WorkloadEntries by namespace, EndpointSlices by owning service.
import type { ConfigObject } from './config.js';
import type { Endpoint, Locality } from './service.js';
import type { ConfigStoreReader } from './store.js';

export interface WorkloadIndex {
  store: ConfigStoreReader;
  podsByNamespace: Map<string, ConfigObject<'Pod'>[]>;
  workloadEntriesByNamespace: Map<string, ConfigObject<'WorkloadEntry'>[]>;
  /** `ns/service` → slices labelled kubernetes.io/service-name=service. */
  slicesByService: Map<string, ConfigObject<'EndpointSlice'>[]>;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

export function indexWorkloads(store: ConfigStoreReader): WorkloadIndex {
  return {
    store,
    podsByNamespace: groupBy(store.list('Pod'), (p) => p.metadata.namespace),
    workloadEntriesByNamespace: groupBy(store.list('WorkloadEntry'), (w) => w.metadata.namespace),
    slicesByService: groupBy(
      store.list('EndpointSlice').filter((s) => s.spec.serviceName !== ''),
      (s) => `${s.metadata.namespace}/${s.spec.serviceName}`,
    ),
  };
}

/** Kubernetes selector semantics: every selector label present with the same value. */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Locality from the well-known topology labels (we have no Node objects to ask). */
export function localityFromLabels(labels: Record<string, string>, zoneFallback = ''): Locality {
  return {
    region: labels['topology.kubernetes.io/region'] ?? '',
    zone: labels['topology.kubernetes.io/zone'] ?? zoneFallback,
    subZone: labels['topology.istio.io/subzone'] ?? '',
  };
}

/** A running pod's IP, or undefined when the endpoints controller would skip the pod. */
export function runningPodIP(pod: ConfigObject<'Pod'>): string | undefined {
  if (pod.spec.status.phase !== 'Running') return undefined;
  return pod.spec.status.podIP || undefined;
}

/** Ready unless the pod says otherwise (objects written by hand often have no conditions). */
export function podReady(pod: ConfigObject<'Pod'>): boolean {
  return pod.spec.status.conditions?.find((c) => c.type === 'Ready')?.status !== 'False';
}

/** The endpoint a running pod gives one service port (what the endpoints controller makes). */
export function podEndpoint(pod: ConfigObject<'Pod'>, ip: string, port: number, servicePortName: string): Endpoint {
  return {
    address: ip,
    port,
    servicePortName,
    labels: pod.metadata.labels,
    locality: localityFromLabels(pod.metadata.labels),
    weight: 1,
    healthy: podReady(pod),
    workloadName: pod.metadata.name,
    namespace: pod.metadata.namespace,
  };
}

export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  if (a.port !== b.port) return a.port - b.port;
  if (a.servicePortName !== b.servicePortName) return a.servicePortName < b.servicePortName ? -1 : 1;
  return 0;
}
