// Everything a gateway (router proxy) gets, per xDS type; generators.ts dispatches here:
//   CDS: the outbound clusters plus BlackHoleCluster (routerClusters);
//   EDS: the same endpoints as for sidecars; LDS: listeners-gateway.ts; RDS: gateway-routes.ts.
import { blackHoleCluster, buildOutboundClusters } from './clusters.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import { edsClusterNames, loadAssignmentByName } from './endpoints.js';
import type { ClusterLoadAssignment } from './envoy-types.js';
import { visibleServices } from './services.js';

export { gatewayListeners } from './listeners-gateway.js';
export { gatewayRouteConfigs } from './gateway-routes.js';

/**
 * Istio's gateway CDS: the sidecar's outbound clusters plus BlackHoleCluster; no
 * PassthroughCluster, since gateways have no original-destination listener.
 */
export function routerClusters(ctx: TranslateContext): ReturnType<typeof buildOutboundClusters> {
  return [...buildOutboundClusters(ctx, false), blackHoleCluster(ctx)].sort((a, b) => compareStrings(a.name, b.name));
}

export function routerEndpoints(ctx: TranslateContext, names: readonly string[] | undefined): ClusterLoadAssignment[] {
  const visible = new Map(visibleServices(ctx).map((s) => [s.hostname, s]));
  const wanted = names ? [...new Set(names)].sort(compareStrings) : edsClusterNames(ctx);
  return wanted.map((n) => loadAssignmentByName(ctx, n, visible)).filter((c): c is ClusterLoadAssignment => c !== undefined);
}
