// Envoy v3 shapes (proto3 JSON names) that only the sidecar inbound side emits: an HCM
// with an inline route configuration, filter chain matches, INBOUND listeners, and
// clusters with an upstream bind address. envoy-types.ts declares the outbound subset;
// these extend it rather than loosen it for everyone.
import type { Address, Cluster, ClusterLoadAssignment, Duration, RouteConfiguration, Route, VirtualHost } from './envoy-types.js';
import type { HCM_TYPE, ROUTER_TYPE, TCP_PROXY_TYPE } from './envoy-types.js';

export interface InboundRoute extends Route {
  route: NonNullable<Route['route']> & { maxStreamDuration?: { maxStreamDuration: Duration; grpcTimeoutHeaderMax: Duration } };
  decorator?: { operation: string };
}

export interface InboundVirtualHost extends VirtualHost {
  routes: InboundRoute[];
}

export interface InboundRouteConfiguration extends RouteConfiguration {
  virtualHosts: InboundVirtualHost[];
}

export interface InboundHttpConnectionManager {
  '@type': typeof HCM_TYPE;
  statPrefix: string;
  routeConfig: InboundRouteConfiguration;
  httpFilters: { name: 'envoy.filters.http.router'; typedConfig: { '@type': typeof ROUTER_TYPE } }[];
  useRemoteAddress?: boolean;
}

export type InboundNetworkFilter =
  | { name: 'envoy.filters.network.http_connection_manager'; typedConfig: InboundHttpConnectionManager }
  | { name: 'envoy.filters.network.tcp_proxy'; typedConfig: { '@type': typeof TCP_PROXY_TYPE; statPrefix: string; cluster: string } };

export interface InboundFilterChain {
  name: string;
  /** destination_port is a UInt32Value: a bare number in proto3 JSON. */
  filterChainMatch?: { destinationPort: number };
  filters: InboundNetworkFilter[];
}

export interface InboundListener {
  name: string;
  address: Address;
  filterChains: InboundFilterChain[];
  useOriginalDst: boolean;
  trafficDirection: 'INBOUND';
}

export interface BindConfig {
  sourceAddress: { address: string; portValue: number };
}

export interface InboundCluster extends Omit<Cluster, 'loadAssignment'> {
  loadAssignment?: ClusterLoadAssignment | { clusterName: string; endpoints: { lbEndpoints: { endpoint: { address: Address } }[] }[] };
  cleanupInterval?: Duration;
  upstreamBindConfig?: BindConfig;
}
