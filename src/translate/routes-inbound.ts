// The inline route configuration of an inbound HTTP filter chain. Istio names it after the
// cluster (`inbound|PORT||`) and routes every request to that cluster: inbound routing
// has no VirtualService rules, the client's sidecar already applied them.
import type { InboundRouteConfiguration, InboundRoute } from './sidecar-envoy-types.js';
import { DEFAULT_ROUTE_NAME } from './names.js';
import { inboundClusterName, type InboundPort } from './sidecar-inbound.js';

export function inboundRouteConfig(p: InboundPort): InboundRouteConfiguration {
  const cluster = inboundClusterName(p.port);
  const route: InboundRoute = {
    name: DEFAULT_ROUTE_NAME,
    match: { prefix: '/' },
    // No timeout and no gRPC deadline cap on the server side, as Istio: the caller's
    // sidecar enforces the VirtualService timeout.
    route: { cluster, timeout: '0s', maxStreamDuration: { maxStreamDuration: '0s', grpcTimeoutHeaderMax: '0s' } },
  };
  // Tracing span name, as Istio: the service and port the request was addressed to.
  if (p.service && p.servicePort !== undefined) route.decorator = { operation: `${p.service.hostname}:${p.servicePort}/*` };
  return {
    name: cluster,
    virtualHosts: [{ name: `inbound|http|${p.port}`, domains: ['*'], routes: [route] }],
    validateClusters: false,
  };
}
