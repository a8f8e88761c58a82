// The translator's contract with the rest of the server. Everything under src/translate
// is pure: the same PushContext and Proxy always give the same resources, in the same order.
import type { PushContext } from '../push/push-context.js';
import type { Proxy } from './proxy.js';

export const TypeUrl = {
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const;
export type XdsTypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/** Short names for logs, metrics labels and the debug surface (Istio uses the same). */
export const SHORT_TYPE: Record<XdsTypeUrl, 'lds' | 'rds' | 'cds' | 'eds'> = {
  [TypeUrl.Listener]: 'lds',
  [TypeUrl.RouteConfiguration]: 'rds',
  [TypeUrl.Cluster]: 'cds',
  [TypeUrl.ClusterLoadAssignment]: 'eds',
};

/** Push order for one change: make before break (CDS, EDS, LDS, RDS). */
export const PUSH_ORDER: readonly XdsTypeUrl[] = [
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
];

/**
 * A message in proto3 canonical JSON form (lowerCamelCase fields, durations as "1.5s",
 * Any as {"@type": url, ...fields}), the shape Envoy's /config_dump prints.
 * src/envoy/codec.ts turns it into protobuf bytes, strictly (unknown fields are errors).
 */
export type EnvoyJson = Record<string, unknown>;

export interface Resource {
  name: string;
  typeUrl: XdsTypeUrl;
  /** The resource, as the proto3 JSON of its type (no "@type" at the top). */
  body: EnvoyJson;
}

/** A warning the translator raises about the input (e.g. a VirtualService naming a missing subset). */
export interface TranslateWarning {
  /** `VirtualService default/reviews`, etc. */
  object: string;
  /** Dotted path of the offending field, e.g. `spec.http[0].route[1].destination.subset`. */
  field: string;
  message: string;
}

export interface Generator {
  typeUrl: XdsTypeUrl;
  /**
   * Proxies with equal keys get identical output from generate() for the same push and
   * names, so the server generates and encodes once per key and shares the bytes.
   */
  scopeKey(proxy: Proxy): string;
  /**
   * The resources of this type for the proxy. LDS/CDS ignore `names` and return the full
   * set; RDS/EDS return only the named ones that exist (undefined names = all they know).
   */
  generate(push: PushContext, proxy: Proxy, names: readonly string[] | undefined): Resource[];
}
