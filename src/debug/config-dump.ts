// Renders the resources a proxy holds in the shape of Envoy's admin /config_dump
// (envoy.admin.v3.ConfigDump), so that what we send can be compared line by line with
// what an Envoy prints. Used offline by `mini-istiod config-dump` and by the debug API.
import { TypeUrl, type Resource } from '../translate/api.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

function byName(a: Resource, b: Resource): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The config dump of `resources`, each as of `versionInfo`; Envoy's section order (clusters, listeners, routes, endpoints). */
export function buildConfigDump(resources: readonly Resource[], versionInfo: string): { configs: Record<string, unknown>[] } {
  const of = (typeUrl: string) => resources.filter((r) => r.typeUrl === typeUrl).sort(byName);
  const typed = (typeUrl: string, body: Record<string, unknown>) => ({ '@type': typeUrl, ...body });
  return {
    configs: [
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        versionInfo,
        dynamicActiveClusters: of(TypeUrl.Cluster).map((r) => ({ versionInfo, cluster: typed(r.typeUrl, r.body) })),
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        versionInfo,
        dynamicListeners: of(TypeUrl.Listener).map((r) => ({
          name: r.name,
          activeState: { versionInfo, listener: typed(r.typeUrl, r.body) },
        })),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamicRouteConfigs: of(TypeUrl.RouteConfiguration).map((r) => ({ versionInfo, routeConfig: typed(r.typeUrl, r.body) })),
      },
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamicEndpointConfigs: of(TypeUrl.ClusterLoadAssignment).map((r) => ({
          versionInfo,
          endpointConfig: typed(r.typeUrl, r.body),
        })),
      },
    ],
  };
}
