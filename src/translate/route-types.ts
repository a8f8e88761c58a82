// Envoy route and listener fields the VirtualService/Gateway features emit, beyond the
// spine's shapes in envoy-types.ts (which another part of the tree owns). Each interface
// extends the spine's, so these values flow anywhere the spine's types are expected; the
// field names are the protos' json names, as there.
import type { HashPolicy } from './dr-hash-policy.js';
import type {
  FractionalPercent,
  HTTPFault,
  HttpConnectionManager,
  RegexMatcher,
  Route,
  RouteAction,
  StringMatcher,
  TcpProxy,
  VirtualHost,
  WeightedCluster,
} from './envoy-types.js';

export const CORS_FILTER = 'envoy.filters.http.cors';
export const CORS_POLICY_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
export const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
export const TLS_INSPECTOR = 'envoy.filters.listener.tls_inspector';
export const TLS_INSPECTOR_TYPE = 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
export const DOWNSTREAM_TLS_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

export type AppendAction = 'APPEND_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS_OR_ADD';

export interface HeaderValueOption {
  header: { key: string; value: string };
  appendAction: AppendAction;
}

/** Header operations, on a route or on one weighted cluster. */
export interface HeaderOps {
  requestHeadersToAdd?: HeaderValueOption[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOption[];
  responseHeadersToRemove?: string[];
}

export interface RuntimeFractionalPercent {
  defaultValue: FractionalPercent | { numerator?: number; denominator: 'HUNDRED' };
}

export interface RequestMirrorPolicy {
  cluster: string;
  runtimeFraction: RuntimeFractionalPercent;
  traceSampled: boolean;
}

export interface RouteActionX extends RouteAction {
  weightedClusters?: { clusters: (WeightedCluster & Omit<HeaderOps, 'responseHeadersToRemove'> & { responseHeadersToRemove?: string[] })[] };
  regexRewrite?: { pattern: RegexMatcher; substitution: string };
  requestMirrorPolicies?: RequestMirrorPolicy[];
  /** Filled by dr-hash-policy.ts (consistent-hash DestinationRules). */
  hashPolicy?: HashPolicy[];
}

export interface CorsPolicy {
  '@type': typeof CORS_POLICY_TYPE;
  allowOriginStringMatch?: StringMatcher[];
  allowMethods?: string;
  allowHeaders?: string;
  exposeHeaders?: string;
  maxAge?: string;
  allowCredentials?: boolean;
  filterEnabled: RuntimeFractionalPercent;
  forwardNotMatchingPreflights?: boolean;
}

export type RedirectResponseCode = 'MOVED_PERMANENTLY' | 'FOUND' | 'SEE_OTHER' | 'TEMPORARY_REDIRECT' | 'PERMANENT_REDIRECT';

export interface RedirectAction {
  httpsRedirect?: boolean;
  schemeRedirect?: string;
  hostRedirect?: string;
  portRedirect?: number;
  pathRedirect?: string;
  /** MOVED_PERMANENTLY (301) is the proto default and is not printed. */
  responseCode?: RedirectResponseCode;
}

export interface DirectResponseAction {
  status: number;
  body?: { inlineString: string } | { inlineBytes: string };
}

export interface RouteX extends Omit<Route, 'route' | 'typedPerFilterConfig' | 'directResponse'>, HeaderOps {
  route?: RouteActionX;
  redirect?: RedirectAction;
  directResponse?: DirectResponseAction;
  typedPerFilterConfig?: Record<string, HTTPFault | CorsPolicy>;
}

export interface VirtualHostX extends Omit<VirtualHost, 'routes'> {
  routes: RouteX[];
  requireTls?: 'ALL';
}

export interface RouteConfigurationX {
  name: string;
  virtualHosts: VirtualHostX[];
  validateClusters?: boolean;
  ignorePortInHostMatching?: boolean;
}

export interface TcpProxyX extends Omit<TcpProxy, 'cluster'> {
  cluster?: string;
  weightedClusters?: { clusters: WeightedCluster[] };
}

export interface DataSource {
  filename: string;
}

export interface DownstreamTlsContext {
  '@type': typeof DOWNSTREAM_TLS_TYPE;
  commonTlsContext: {
    tlsCertificates: { certificateChain: DataSource; privateKey: DataSource }[];
    validationContext?: { trustedCa: DataSource; matchSubjectAltNames?: StringMatcher[] };
    alpnProtocols?: string[];
  };
  requireClientCertificate?: boolean;
}

export type HttpFilterX =
  | HttpConnectionManager['httpFilters'][number]
  | { name: typeof CORS_FILTER; typedConfig: { '@type': typeof CORS_TYPE } };

export interface HttpConnectionManagerX extends Omit<HttpConnectionManager, 'httpFilters'> {
  httpFilters: HttpFilterX[];
}

export type NetworkFilterX =
  | { name: 'envoy.filters.network.http_connection_manager'; typedConfig: HttpConnectionManagerX }
  | { name: 'envoy.filters.network.tcp_proxy'; typedConfig: TcpProxyX };

export interface FilterChainMatch {
  destinationPort?: number;
  prefixRanges?: { addressPrefix: string; prefixLen: number }[];
  serverNames?: string[];
  transportProtocol?: string;
  applicationProtocols?: string[];
}

export interface FilterChainX {
  name?: string;
  filterChainMatch?: FilterChainMatch;
  filters: NetworkFilterX[];
  transportSocket?: { name: 'envoy.transport_sockets.tls'; typedConfig: DownstreamTlsContext };
}

export interface ListenerX {
  name: string;
  address?: { socketAddress: { address: string; portValue: number } };
  filterChains?: FilterChainX[];
  listenerFilters?: { name: typeof TLS_INSPECTOR; typedConfig: { '@type': typeof TLS_INSPECTOR_TYPE } }[];
  useOriginalDst?: boolean;
  bindToPort?: boolean;
  trafficDirection?: 'OUTBOUND';
  apiListener?: { apiListener: HttpConnectionManagerX };
}
