// Renders the resources a proxy holds in the shape of Envoy's admin /config_dump
// (envoy.admin.v3.ConfigDump), so that what we send can be compared line by line with
// what an Envoy prints. Used offline by `mini-istiod config-dump` and by the debug API.
import { TypeUrl, type Resource, type XdsTypeUrl } from '../translate/api.js';

/** One version for every section, or one per type (a live proxy's types move separately). */
export type DumpVersions = string | Partial<Record<XdsTypeUrl, string>>;

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

function byName(a: Resource, b: Resource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The config dump of `resources`, each as of its type's version; Envoy's section order (clusters, listeners, routes, endpoints). */
export function buildConfigDump(resources: readonly Resource[], versions: DumpVersions): { configs: Record<string, unknown>[] } {
  const of = (typeUrl: string) => resources.filter((r) => r.typeUrl === typeUrl).sort(byName);
  const typed = (typeUrl: string, body: Record<string, unknown>) => ({ '@type': typeUrl, ...body });
  // Envoy leaves version_info out (proto3 default "") for what it never received.
  const v = (t: XdsTypeUrl) => {
    const versionInfo = typeof versions === 'string' ? versions : (versions[t] ?? '');
    return versionInfo === '' ? {} : { versionInfo };
  };
  return {
    configs: [
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        ...v(TypeUrl.Cluster),
        dynamicActiveClusters: of(TypeUrl.Cluster).map((r) => ({ ...v(TypeUrl.Cluster), cluster: typed(r.typeUrl, r.body) })),
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        ...v(TypeUrl.Listener),
        dynamicListeners: of(TypeUrl.Listener).map((r) => ({
          name: r.name,
          activeState: { ...v(TypeUrl.Listener), listener: typed(r.typeUrl, r.body) },
        })),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamicRouteConfigs: of(TypeUrl.RouteConfiguration).map((r) => ({
          ...v(TypeUrl.RouteConfiguration),
          routeConfig: typed(r.typeUrl, r.body),
        })),
      },
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamicEndpointConfigs: of(TypeUrl.ClusterLoadAssignment).map((r) => ({
          ...v(TypeUrl.ClusterLoadAssignment),
          endpointConfig: typed(r.typeUrl, r.body),
        })),
      },
    ],
  };
}
