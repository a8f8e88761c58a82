// PushContext: an immutable snapshot of the model that one push translates from.
// Built anew on a full push; an EDS-only push derives a new one that shares everything
// but the endpoint index (Istio's PushContext, trimmed to what we translate).
import type { ConfigObject } from '../model/config.js';
import type { Endpoint, Service } from '../model/service.js';

export interface MeshConfig {
  /** ALLOW_ANY (default) or REGISTRY_ONLY. */
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Default upstream connect timeout, as a duration string. Istio: 10s. */
  connectTimeout: string;
  trustDomain: string;
  rootNamespace: string;
}

export const DEFAULT_MESH_CONFIG: MeshConfig = Object.freeze({
  outboundTrafficPolicy: 'ALLOW_ANY',
  connectTimeout: '10s',
  trustDomain: 'cluster.local',
  rootNamespace: 'istio-system',
});

export interface PushContext {
  /** Monotonic, unique per snapshot; also the SotW version_info of what it produces. */
  readonly version: string;
  readonly mesh: MeshConfig;
  /** Every service, sorted by hostname (deterministic output). */
  readonly services: readonly Service[];
  readonly serviceByHost: ReadonlyMap<string, Service>;
  /** Endpoints per service hostname, sorted by (address, port). */
  readonly endpointsByHost: ReadonlyMap<string, readonly Endpoint[]>;
  /**
   * VirtualServices whose hosts name each FQDN (short names expanded against the
   * VirtualService's namespace), in Istio's merge order: oldest creationTimestamp first,
   * then namespace/name.
   */
  readonly virtualServicesByHost: ReadonlyMap<string, readonly ConfigObject<'VirtualService'>[]>;
  /**
   * The DestinationRule that applies to each FQDN. When several name one host they are
   * merged as Istio does: the oldest rule's traffic policy wins, subsets are unioned (first
   * definition of a name wins). See build-push-context.ts.
   */
  readonly destinationRuleByHost: ReadonlyMap<string, ConfigObject<'DestinationRule'>>;
  /** Every Gateway, in Istio's config order (oldest first, then namespace/name). */
  readonly gateways?: readonly ConfigObject<'Gateway'>[];
  /**
   * Every VirtualService in the same order, whatever its hosts and gateways: gateways
   * pick theirs by `gateways`, and delegates (no hosts) are found by name. Optional so
   * that hand-built contexts (tests) need not list them: absent = none.
   */
  readonly virtualServices?: readonly ConfigObject<'VirtualService'>[];
  /**
   * Every Sidecar, in Istio's config order (oldest first, then namespace/name): the
   * translator picks the one that applies to a proxy (src/translate/sidecar-scope.ts).
   * Optional so that hand-built contexts (tests) need not list them: absent = none.
   */
  readonly sidecars?: readonly ConfigObject<'Sidecar'>[];
}
