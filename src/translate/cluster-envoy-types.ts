// Envoy v3 cluster-side messages the DestinationRule translation emits, in proto3 JSON
// (json names, uint64 as strings, wrappers as bare values). envoy-types.ts declares only
// the spine's fields; the full outbound cluster shape lives here so that every field a
// traffic policy can set is a compile-time name, not a codec error at push time.
import type { ClusterLoadAssignment, ConfigSource, Duration, LbEndpoint, Locality } from './envoy-types.js';

/** ROUND_ROBIN is the proto default (0) and is never printed. */
export type ClusterLbPolicy = 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV' | 'CLUSTER_PROVIDED';

export interface ThresholdsV3 {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  trackRemaining: boolean;
}

/** envoy.config.cluster.v3.OutlierDetection; UInt32Value wrappers print as plain numbers. */
export interface OutlierDetectionV3 {
  consecutive5xx?: number;
  interval?: Duration;
  baseEjectionTime?: Duration;
  maxEjectionPercent?: number;
  enforcingConsecutive5xx?: number;
  enforcingSuccessRate?: number;
  consecutiveGatewayFailure?: number;
  enforcingConsecutiveGatewayFailure?: number;
  splitExternalLocalOriginErrors?: boolean;
  consecutiveLocalOriginFailure?: number;
  enforcingConsecutiveLocalOriginFailure?: number;
  enforcingLocalOriginSuccessRate?: number;
  failurePercentageThreshold?: number;
  enforcingFailurePercentage?: number;
  failurePercentageMinimumHosts?: number;
  failurePercentageRequestVolume?: number;
}

export interface SlowStartConfig {
  slowStartWindow: Duration;
}

export interface CommonLbConfig {
  /** envoy.type.v3.Percent; value 0 prints as {}. */
  healthyPanicThreshold?: { value?: number };
  localityWeightedLbConfig?: Record<string, never>;
}

export const HTTP_PROTOCOL_OPTIONS_URL = 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export interface Http2ProtocolOptions {
  maxConcurrentStreams?: number;
}

/** envoy.extensions.upstreams.http.v3.HttpProtocolOptions (one of explicit / downstream). */
export interface HttpProtocolOptionsV3 {
  '@type': typeof HTTP_PROTOCOL_OPTIONS_URL;
  commonHttpProtocolOptions?: { idleTimeout?: Duration; maxConnectionDuration?: Duration; maxRequestsPerConnection?: number };
  explicitHttpConfig?: { http2ProtocolOptions: Http2ProtocolOptions };
  useDownstreamProtocolConfig?: { httpProtocolOptions: Record<string, never>; http2ProtocolOptions: Http2ProtocolOptions };
}

export const UPSTREAM_TLS_CONTEXT_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';

export interface FileDataSource {
  filename: string;
}

export interface SubjectAltNameMatcher {
  sanType: 'DNS' | 'URI';
  matcher: { exact: string };
}

export interface UpstreamTlsContext {
  '@type': typeof UPSTREAM_TLS_CONTEXT_URL;
  commonTlsContext: {
    tlsCertificates?: { certificateChain: FileDataSource; privateKey: FileDataSource }[];
    validationContext?: { trustedCa?: FileDataSource; matchTypedSubjectAltNames?: SubjectAltNameMatcher[]; crl?: FileDataSource };
    alpnProtocols?: string[];
  };
  sni?: string;
}

export interface TransportSocket {
  name: typeof TLS_TRANSPORT_SOCKET;
  typedConfig: UpstreamTlsContext;
}

export interface TcpKeepalive {
  keepaliveProbes?: number;
  keepaliveTime?: number;
  keepaliveInterval?: number;
}

/** The outbound (and fixed) clusters this translator emits. */
export interface ClusterV3 {
  name: string;
  type: 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
  edsClusterConfig?: { edsConfig: ConfigSource; serviceName: string };
  connectTimeout: Duration;
  lbPolicy?: ClusterLbPolicy;
  ringHashLbConfig?: { minimumRingSize: string };
  maglevLbConfig?: { tableSize: string };
  roundRobinLbConfig?: { slowStartConfig: SlowStartConfig };
  leastRequestLbConfig?: { slowStartConfig: SlowStartConfig };
  circuitBreakers?: { thresholds: ThresholdsV3[] };
  outlierDetection?: OutlierDetectionV3;
  commonLbConfig?: CommonLbConfig;
  upstreamConnectionOptions?: { tcpKeepalive: TcpKeepalive };
  typedExtensionProtocolOptions?: Record<string, HttpProtocolOptionsV3>;
  transportSocket?: TransportSocket;
  loadAssignment?: ClusterLoadAssignment;
  dnsLookupFamily?: 'V4_ONLY';
  respectDnsTtl?: boolean;
}

/** LocalityLbEndpoints with the priority locality failover assigns (0 is never printed). */
export interface PrioritizedLocalityLbEndpoints {
  locality: Locality;
  lbEndpoints: LbEndpoint[];
  loadBalancingWeight: number;
  priority?: number;
}
