// The config store's vocabulary: every object a source feeds in, keyed by (kind, namespace, name).
import type {
  DestinationRuleSpec,
  GatewaySpec,
  ServiceEntrySpec,
  SidecarSpec,
  VirtualServiceSpec,
  WorkloadEntrySpec,
} from './istio-types.js';
import type { KubeEndpoints, KubeEndpointSlice, KubePod, KubeService } from './kube-types.js';

/** Every kind mini-istiod reads. Istio kinds beyond these are accepted by later issues. */
export type Kind =
  | 'Service'
  | 'Endpoints'
  | 'EndpointSlice'
  | 'Pod'
  | 'VirtualService'
  | 'DestinationRule'
  | 'ServiceEntry'
  | 'WorkloadEntry'
  | 'Gateway'
  | 'Sidecar';

/** Kinds whose changes only move endpoints: they trigger EDS-only (incremental) pushes. */
export const ENDPOINT_KINDS: ReadonlySet<Kind> = new Set<Kind>(['Endpoints', 'EndpointSlice', 'Pod']);

export interface ConfigKey {
  kind: Kind;
  namespace: string;
  name: string;
}

export function keyString(k: ConfigKey): string {
  return `${k.kind}/${k.namespace}/${k.name}`;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339; for file objects without one, the time the object was first seen. */
  creationTimestamp: string;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
}

/** Where an object came from, so that errors and debug output can name it. */
export interface ObjectOrigin {
  /** `file` or `kubernetes`. */
  source: string;
  /** File path (relative to the config dir) or API path. */
  location: string;
  /** Index of the document within a multi-document YAML file. */
  documentIndex?: number;
}

/** A validated object: its spec typed by kind. */
export interface ConfigObject<K extends Kind = Kind, S = SpecOf<K>> {
  kind: K;
  apiVersion: string;
  metadata: ObjectMeta;
  spec: S;
  origin: ObjectOrigin;
}

export interface SpecByKind {
  Service: KubeService;
  Endpoints: KubeEndpoints;
  EndpointSlice: KubeEndpointSlice;
  Pod: KubePod;
  VirtualService: VirtualServiceSpec;
  DestinationRule: DestinationRuleSpec;
  ServiceEntry: ServiceEntrySpec;
  WorkloadEntry: WorkloadEntrySpec;
  Gateway: GatewaySpec;
  Sidecar: SidecarSpec;
}
export type SpecOf<K extends Kind> = SpecByKind[K];

export type AnyConfigObject = { [K in Kind]: ConfigObject<K> }[Kind];

export type ConfigEventType = 'add' | 'update' | 'delete';

export interface ConfigEvent extends ConfigKey {
  type: ConfigEventType;
}
