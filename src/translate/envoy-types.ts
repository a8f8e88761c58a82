// TypeScript shapes of the Envoy v3 messages the translator emits, in proto3 canonical JSON
// (lowerCamelCase json names, durations as "1.5s", int64 as strings, Any as {"@type", ...}).
// Only the fields we set are declared, spelled exactly like the protos' json names, so a
// typo is a compile error here rather than a strict-codec error at push time.

/** google.protobuf.Duration in JSON form, e.g. "10s", "0.100s". */
export type Duration = string;

export interface ConfigSource {
  /** AggregatedConfigSource: an empty message, "use the ADS stream". */
  ads: Record<string, never>;
  initialFetchTimeout?: Duration;
  resourceApiVersion: 'V3';
}

export interface SocketAddress {
  address: string;
  portValue: number;
}

export interface Address {
  socketAddress: SocketAddress;
}

// ---- EDS: envoy.config.endpoint.v3 ----

export interface Locality {
  region?: string;
  zone?: string;
  subZone?: string;
}

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY';

export interface LbEndpoint {
  endpoint: { address: Address };
  healthStatus: HealthStatus;
  loadBalancingWeight: number;
}

export interface LocalityLbEndpoints {
  locality: Locality;
  lbEndpoints: LbEndpoint[];
  loadBalancingWeight: number;
}

export interface ClusterLoadAssignment {
  clusterName: string;
  endpoints?: LocalityLbEndpoints[];
}

// ---- CDS: envoy.config.cluster.v3 ----

export type DiscoveryType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
/** ROUND_ROBIN is the proto default (0) and is therefore never printed. */
export type LbPolicy = 'LEAST_REQUEST' | 'RANDOM' | 'CLUSTER_PROVIDED';

export interface Thresholds {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  trackRemaining: boolean;
}

export const HTTP_PROTOCOL_OPTIONS_TYPE = 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export interface HttpProtocolOptions {
  '@type': typeof HTTP_PROTOCOL_OPTIONS_TYPE;
  explicitHttpConfig: { http2ProtocolOptions: Record<string, never> };
}

export interface Cluster {
  name: string;
  type: DiscoveryType;
  edsClusterConfig?: { edsConfig: ConfigSource; serviceName: string };
  connectTimeout: Duration;
  lbPolicy?: LbPolicy;
  circuitBreakers?: { thresholds: Thresholds[] };
  typedExtensionProtocolOptions?: Record<string, HttpProtocolOptions>;
  loadAssignment?: ClusterLoadAssignment;
  dnsLookupFamily?: 'V4_ONLY';
  respectDnsTtl?: boolean;
}

// ---- RDS: envoy.config.route.v3 ----

export interface RegexMatcher {
  regex: string;
}

export type StringMatcher = ({ exact: string } | { prefix: string } | { safeRegex: RegexMatcher }) & {
  ignoreCase?: boolean;
};

export interface HeaderMatcher {
  name: string;
  stringMatch: StringMatcher;
  invertMatch?: boolean;
}

export interface QueryParameterMatcher {
  name: string;
  stringMatch: StringMatcher;
}

export type PathSpecifier = { prefix: string } | { path: string } | { safeRegex: RegexMatcher };

export type RouteMatch = PathSpecifier & {
  caseSensitive?: boolean;
  headers?: HeaderMatcher[];
  queryParameters?: QueryParameterMatcher[];
};

export const PREVIOUS_HOSTS_TYPE =
  'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate';

export interface RetryHostPredicate {
  name: 'envoy.retry_host_predicates.previous_hosts';
  typedConfig: { '@type': typeof PREVIOUS_HOSTS_TYPE };
}

export interface RetryPolicy {
  retryOn: string;
  numRetries: number;
  perTryTimeout?: Duration;
  retryHostPredicate?: RetryHostPredicate[];
  /** int64: a string in proto3 JSON. */
  hostSelectionRetryMaxAttempts: string;
  retriableStatusCodes?: number[];
  retryPriority?: { name: string; typedConfig: { '@type': string; updateFrequency: number } };
  retryBackOff?: { baseInterval: Duration };
}

export interface WeightedCluster {
  name: string;
  weight: number;
}

export interface RouteAction {
  cluster?: string;
  weightedClusters?: { clusters: WeightedCluster[] };
  timeout?: Duration;
  maxStreamDuration?: { maxStreamDuration: Duration };
  retryPolicy?: RetryPolicy;
  prefixRewrite?: string;
  hostRewriteLiteral?: string;
}

export type FractionalPercent = { numerator?: number; denominator: 'MILLION' };

export const HTTP_FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

export interface HTTPFault {
  '@type': typeof HTTP_FAULT_TYPE;
  delay?: { fixedDelay: Duration; percentage: FractionalPercent };
  abort?: ({ httpStatus: number } | { grpcStatus: number }) & { percentage: FractionalPercent };
}

export interface Route {
  name?: string;
  match: RouteMatch;
  route?: RouteAction;
  directResponse?: { status: number };
  typedPerFilterConfig?: Record<string, HTTPFault>;
}

export interface VirtualHost {
  name: string;
  domains: string[];
  routes: Route[];
}

export interface RouteConfiguration {
  name: string;
  virtualHosts: VirtualHost[];
  validateClusters?: boolean;
  ignorePortInHostMatching?: boolean;
}

// ---- LDS: envoy.config.listener.v3 and the network filters we use ----

export const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
export const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export type HttpFilter =
  | { name: 'envoy.filters.http.fault'; typedConfig: HTTPFault }
  | { name: 'envoy.filters.http.router'; typedConfig: { '@type': typeof ROUTER_TYPE } };

export interface HttpConnectionManager {
  '@type': typeof HCM_TYPE;
  statPrefix: string;
  rds: { configSource: ConfigSource; routeConfigName: string };
  httpFilters: HttpFilter[];
  useRemoteAddress?: boolean;
}

export interface TcpProxy {
  '@type': typeof TCP_PROXY_TYPE;
  statPrefix: string;
  cluster: string;
}

export type NetworkFilter =
  | { name: 'envoy.filters.network.http_connection_manager'; typedConfig: HttpConnectionManager }
  | { name: 'envoy.filters.network.tcp_proxy'; typedConfig: TcpProxy };

export interface FilterChain {
  name?: string;
  filters: NetworkFilter[];
}

export interface Listener {
  name: string;
  address?: Address;
  filterChains?: FilterChain[];
  useOriginalDst?: boolean;
  bindToPort?: boolean;
  trafficDirection?: 'OUTBOUND';
  apiListener?: { apiListener: HttpConnectionManager };
}
