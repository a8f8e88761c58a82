// What the Kubernetes source watches: one entry per kind, with the API group, the versions
// it may be served at (most preferred first, as istiod prefers networking.istio.io/v1) and
// the plural resource name used in API paths and RBAC rules.

export interface WatchedKind {
  kind: string;
  /** '' for the core group (served under /api/v1). */
  group: string;
  /** Candidate versions, most preferred first; discovery picks the first one served. */
  versions: readonly string[];
  /** Plural resource name: the path segment and the RBAC resource. */
  resource: string;
}

const NETWORKING = ['v1', 'v1beta1', 'v1alpha3'];
const SECURITY = ['v1', 'v1beta1'];

/** Everything read from the API server. Kinds the model does not translate yet are still
 * watched (parseObject skips them), so that they start working as soon as it does. */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  { kind: 'Service', group: '', versions: ['v1'], resource: 'services' },
  { kind: 'EndpointSlice', group: 'discovery.k8s.io', versions: ['v1'], resource: 'endpointslices' },
  { kind: 'Pod', group: '', versions: ['v1'], resource: 'pods' },
  { kind: 'VirtualService', group: 'networking.istio.io', versions: NETWORKING, resource: 'virtualservices' },
  { kind: 'DestinationRule', group: 'networking.istio.io', versions: NETWORKING, resource: 'destinationrules' },
  { kind: 'Gateway', group: 'networking.istio.io', versions: NETWORKING, resource: 'gateways' },
  { kind: 'ServiceEntry', group: 'networking.istio.io', versions: NETWORKING, resource: 'serviceentries' },
  { kind: 'WorkloadEntry', group: 'networking.istio.io', versions: NETWORKING, resource: 'workloadentries' },
  { kind: 'Sidecar', group: 'networking.istio.io', versions: NETWORKING, resource: 'sidecars' },
  { kind: 'PeerAuthentication', group: 'security.istio.io', versions: SECURITY, resource: 'peerauthentications' },
  { kind: 'AuthorizationPolicy', group: 'security.istio.io', versions: SECURITY, resource: 'authorizationpolicies' },
  { kind: 'RequestAuthentication', group: 'security.istio.io', versions: SECURITY, resource: 'requestauthentications' },
];

/** Read instead of EndpointSlices when the API server does not serve discovery.k8s.io/v1
 * (Kubernetes before 1.21): the model reads either. */
export const ENDPOINTS_FALLBACK: WatchedKind = { kind: 'Endpoints', group: '', versions: ['v1'], resource: 'endpoints' };

/** A kind resolved by discovery to the version the API server serves. */
export interface ServedKind extends WatchedKind {
  version: string;
}

/** `v1` or `networking.istio.io/v1`: the apiVersion of objects of this kind. */
export function apiVersionOf(k: ServedKind): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

/** `networking.istio.io/v1 virtualservices`, `v1 pods`: how errors name a resource. */
export function describeResource(k: ServedKind): string {
  return `${apiVersionOf(k)} ${k.resource}`;
}

/** The collection's path, cluster-wide or in one namespace. */
export function collectionPath(k: ServedKind, namespace?: string): string {
  const base = k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  return namespace === undefined ? `${base}/${k.resource}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${k.resource}`;
}

/** One object's path: the origin location of what the source stores. */
export function objectPath(k: ServedKind, namespace: string, name: string): string {
  return `${collectionPath(k, namespace)}/${encodeURIComponent(name)}`;
}
