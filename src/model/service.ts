// The service registry's vocabulary: what the translator knows about services and
// their endpoints, whichever source (Kubernetes objects, ServiceEntry) they came from.

/** Istio's protocol names, inferred from a port's name prefix or appProtocol. */
export type Protocol =
  | 'HTTP'
  | 'HTTP2'
  | 'GRPC'
  | 'GRPC-Web'
  | 'HTTPS'
  | 'TLS'
  | 'TCP'
  | 'MONGO'
  | 'REDIS'
  | 'MYSQL'
  | 'UDP'
  | 'UNSUPPORTED';

export interface ServicePort {
  /** Port name as declared (may be empty for a single unnamed port). */
  name: string;
  /** The service port (what clients dial). */
  port: number;
  /** Kubernetes targetPort: a number or a container port name; undefined = same as port. */
  targetPort?: number | string;
  protocol: Protocol;
}

/** Where a service's definition came from. */
export type ServiceOrigin = 'kubernetes' | 'serviceentry';

/** How a service's endpoints are found: EDS from the registry, DNS, or none (passthrough). */
export type Resolution = 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE';

export interface Service {
  /** Fully qualified host, e.g. `reviews.default.svc.cluster.local`. The registry key. */
  hostname: string;
  /** Kubernetes name and namespace (for a ServiceEntry: the entry's name and namespace). */
  name: string;
  namespace: string;
  /** Cluster IPs / ServiceEntry addresses; empty or `0.0.0.0` when headless or none. */
  addresses: string[];
  ports: ServicePort[];
  labels: Record<string, string>;
  /** Pod selector; undefined = selector-less (endpoints managed by hand). */
  selector?: Record<string, string>;
  resolution: Resolution;
  /** MESH_INTERNAL or MESH_EXTERNAL (ServiceEntry location); Kubernetes services are internal. */
  location: 'MESH_INTERNAL' | 'MESH_EXTERNAL';
  /** Namespaces this service is visible to: ['*'] = all, ['.'] = own namespace only. */
  exportTo: string[];
  origin: ServiceOrigin;
}

export interface Locality {
  region: string;
  zone: string;
  subZone: string;
}

export interface Endpoint {
  /** IP (or DNS name for DNS-resolved ServiceEntries). */
  address: string;
  /** The port the workload listens on for `servicePortName`. */
  port: number;
  /** Which service port this endpoint serves (matches ServicePort.name). */
  servicePortName: string;
  /** Workload labels: subsets select on these. */
  labels: Record<string, string>;
  locality: Locality;
  /** Load-balancing weight, ≥ 1. */
  weight: number;
  healthy: boolean;
  /** `pod.namespace` or `workloadentry.namespace`, for debugging and naming. */
  workloadName?: string;
  namespace?: string;
}

export const EMPTY_LOCALITY: Locality = Object.freeze({ region: '', zone: '', subZone: '' });

/** The Kubernetes domain suffix, as Istio's default. */
export const DOMAIN_SUFFIX = 'cluster.local';

export function serviceHostname(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${DOMAIN_SUFFIX}`;
}
