// connectionPool → circuit breakers, connect timeout, TCP keepalive and HTTP protocol
// options, as Istio's applyConnectionPool / applyH2Upgrade:
//   tcp.maxConnections → thresholds.maxConnections      http.http2MaxRequests → maxRequests
//   http.http1MaxPendingRequests → maxPendingRequests    http.maxRetries → maxRetries
//   (every limit not set stays 4294967295: Envoy's own defaults are far too low for a mesh)
//   tcp.connectTimeout → connectTimeout                 tcp.tcpKeepalive → upstreamConnectionOptions
//   http.idleTimeout (else tcp.idleTimeout), http.maxRequestsPerConnection,
//   tcp.maxConnectionDuration → HttpProtocolOptions.commonHttpProtocolOptions
//   http.maxConcurrentStreams → http2ProtocolOptions.maxConcurrentStreams (HTTP/2 clusters)
//   http.useClientProtocol → useDownstreamProtocolConfig; h2UpgradePolicy UPGRADE → HTTP/2.
// Zero means "unset" for the numeric fields, as in Istio (proto3 cannot tell them apart).
import type { ConnectionPoolSettings } from '../model/istio-types.js';
import type { ClusterV3, HttpProtocolOptionsV3, TcpKeepalive, ThresholdsV3 } from './cluster-envoy-types.js';
import { HTTP_PROTOCOL_OPTIONS_URL } from './cluster-envoy-types.js';
import { durationNanos, toProtoDuration } from './duration.js';

const MAX_UINT32 = 4294967295;
const HTTP_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** Istio's default thresholds: every limit at its maximum, remaining-capacity stats on. */
export function defaultThresholds(): ThresholdsV3 {
  return { maxConnections: MAX_UINT32, maxPendingRequests: MAX_UINT32, maxRequests: MAX_UINT32, maxRetries: MAX_UINT32, trackRemaining: true };
}

function thresholds(pool: ConnectionPoolSettings | undefined): ThresholdsV3 {
  const t = defaultThresholds();
  const http = pool?.http;
  if (http?.http2MaxRequests && http.http2MaxRequests > 0) t.maxRequests = http.http2MaxRequests;
  if (http?.http1MaxPendingRequests && http.http1MaxPendingRequests > 0) t.maxPendingRequests = http.http1MaxPendingRequests;
  if (http?.maxRetries && http.maxRetries > 0) t.maxRetries = http.maxRetries;
  if (pool?.tcp?.maxConnections && pool.tcp.maxConnections > 0) t.maxConnections = pool.tcp.maxConnections;
  return t;
}

/** Keepalive times are whole seconds in Envoy (Istio truncates the same way). */
function seconds(d: string | undefined): number | undefined {
  if (d === undefined) return undefined;
  const n = durationNanos(d);
  return n === undefined ? undefined : Number(n / 1_000_000_000n);
}

function keepalive(k: NonNullable<NonNullable<ConnectionPoolSettings['tcp']>['tcpKeepalive']>): TcpKeepalive {
  const out: TcpKeepalive = {};
  if (k.probes) out.keepaliveProbes = k.probes;
  const time = seconds(k.time);
  if (time) out.keepaliveTime = time;
  const interval = seconds(k.interval);
  if (interval) out.keepaliveInterval = interval;
  return out;
}

function httpOptions(cluster: ClusterV3): HttpProtocolOptionsV3 {
  const all = (cluster.typedExtensionProtocolOptions ??= {});
  return (all[HTTP_OPTIONS_KEY] ??= { '@type': HTTP_PROTOCOL_OPTIONS_URL });
}

/** Upstream HTTP/2, as Istio's setH2Options (HTTP2 and gRPC ports, or an UPGRADE policy). */
export function setHttp2(cluster: ClusterV3): void {
  const opts = httpOptions(cluster);
  delete opts.useDownstreamProtocolConfig;
  opts.explicitHttpConfig ??= { http2ProtocolOptions: {} };
}

function applyCommonHttpOptions(cluster: ClusterV3, pool: ConnectionPoolSettings): void {
  const idle = pool.http?.idleTimeout ?? pool.tcp?.idleTimeout;
  const perConn = pool.http?.maxRequestsPerConnection ?? 0;
  const maxDuration = pool.tcp?.maxConnectionDuration;
  const streams = pool.http?.maxConcurrentStreams ?? 0;
  if (idle === undefined && perConn <= 0 && maxDuration === undefined && streams <= 0) return;
  const opts = httpOptions(cluster);
  const common: NonNullable<HttpProtocolOptionsV3['commonHttpProtocolOptions']> = {};
  const idleJson = idle !== undefined ? toProtoDuration(idle) : undefined;
  if (idleJson) common.idleTimeout = idleJson;
  if (perConn > 0) common.maxRequestsPerConnection = perConn;
  const durJson = maxDuration !== undefined ? toProtoDuration(maxDuration) : undefined;
  if (durJson) common.maxConnectionDuration = durJson;
  if (Object.keys(common).length > 0) opts.commonHttpProtocolOptions = common;
  // Only an HTTP/2 cluster has streams to limit (Istio checks the same).
  if (streams > 0 && opts.explicitHttpConfig) opts.explicitHttpConfig.http2ProtocolOptions.maxConcurrentStreams = streams;
}

/**
 * Applies a connection pool to an outbound cluster. `grpc` keeps only what proxyless
 * clients read (circuitBreakers.thresholds[].maxRequests, DEFAULT priority).
 */
export function applyConnectionPool(cluster: ClusterV3, pool: ConnectionPoolSettings | undefined, grpc: boolean): void {
  cluster.circuitBreakers = { thresholds: [thresholds(pool)] };
  if (grpc || !pool) return;
  const timeout = pool.tcp?.connectTimeout !== undefined ? toProtoDuration(pool.tcp.connectTimeout) : undefined;
  if (timeout) cluster.connectTimeout = timeout;
  if (pool.tcp?.tcpKeepalive) cluster.upstreamConnectionOptions = { tcpKeepalive: keepalive(pool.tcp.tcpKeepalive) };
  applyCommonHttpOptions(cluster, pool);
  if (pool.http?.useClientProtocol) {
    const opts = httpOptions(cluster);
    delete opts.explicitHttpConfig;
    opts.useDownstreamProtocolConfig = { httpProtocolOptions: {}, http2ProtocolOptions: {} };
  }
  // Istio's shouldH2Upgrade: an explicit UPGRADE upgrades any port (the user vouches it is
  // HTTP); DO_NOT_UPGRADE, and the mesh default (DO_NOT_UPGRADE), never.
  if (pool.http?.h2UpgradePolicy === 'UPGRADE') setHttp2(cluster);
}
