// CDS: outbound clusters per service port (`outbound|PORT||HOST`) and per DestinationRule
// subset (`outbound|PORT|SUBSET|HOST`), each with its traffic policy applied (cluster-*.ts,
// tls-upstream.ts), plus the fixed BlackHoleCluster and, for sidecars, PassthroughCluster.
// Gateways (router proxies) get the same outbound clusters and BlackHoleCluster, as in
// Istio, through gateway-generate.ts; inbound clusters live in clusters-inbound.ts.
import type { Subset } from '../model/istio-types.js';
import type { Service, ServicePort } from '../model/service.js';
import { applyConnectionPool, defaultThresholds, setHttp2 } from './cluster-connection-pool.js';
import type { ClusterV3, PrioritizedLocalityLbEndpoints } from './cluster-envoy-types.js';
import { applyLoadBalancer } from './cluster-lb.js';
import { applyLocalityLb, needsLocalityWeightedLb, proxyLocality } from './cluster-locality.js';
import { applyOutlierDetection } from './cluster-outlier.js';
import { warnUnsupportedPolicy } from './cluster-warnings.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import { clusterPolicy, destinationRuleFor, subsetsFor } from './destination-rule.js';
import { endpointsFor, localityLbEndpoints, usesEds } from './endpoints.js';
import type { Cluster, ClusterLoadAssignment, ConfigSource } from './envoy-types.js';
import { toProtoDuration } from './duration.js';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER, outboundClusterName } from './names.js';
import { isHttp2Port, sortedPorts, visibleServices } from './services.js';
import { upstreamTransportSocket } from './tls-upstream.js';

export { defaultThresholds } from './cluster-connection-pool.js';

/** Mesh connectTimeout in proto3 JSON form (the mesh config holds a Go duration string). */
function connectTimeout(ctx: TranslateContext): string {
  return toProtoDuration(ctx.push.mesh.connectTimeout) ?? '10s';
}

/** The ADS config source, with initial_fetch_timeout 0 (wait forever, as Istio does). */
export function adsConfigSource(initialFetchTimeout?: string): ConfigSource {
  return initialFetchTimeout === undefined
    ? { ads: {}, resourceApiVersion: 'V3' }
    : { ads: {}, initialFetchTimeout, resourceApiVersion: 'V3' };
}

function dnsLoadAssignment(ctx: TranslateContext, name: string, svc: Service, port: ServicePort, subset: Subset | undefined, logical: boolean): ClusterLoadAssignment {
  let groups = localityLbEndpoints(endpointsFor(ctx, svc, port, subset));
  if (groups.length === 0 && !subset) {
    // A DNS ServiceEntry without endpoints resolves its own host name (Istio does the same).
    groups = localityLbEndpoints([
      { address: svc.hostname, port: port.port, servicePortName: port.name, labels: {}, locality: { region: '', zone: '', subZone: '' }, weight: 1, healthy: true },
    ]);
  }
  if (logical && groups.length > 0) {
    // LOGICAL_DNS takes exactly one host; Envoy rejects more.
    const first = groups[0]!;
    groups = [{ ...first, lbEndpoints: first.lbEndpoints.slice(0, 1), loadBalancingWeight: first.lbEndpoints[0]!.loadBalancingWeight }];
  }
  return groups.length > 0 ? { clusterName: name, endpoints: groups } : { clusterName: name };
}

/** The cluster before any traffic policy: discovery type by the service's resolution. */
function baseCluster(ctx: TranslateContext, svc: Service, port: ServicePort, subset: Subset | undefined, name: string): ClusterV3 {
  const cluster: ClusterV3 = { name, type: 'EDS', connectTimeout: connectTimeout(ctx) };
  if (svc.resolution === 'NONE') {
    // Istio: passthrough services get ORIGINAL_DST clusters (lbPolicy set by cluster-lb.ts).
    cluster.type = 'ORIGINAL_DST';
  } else if (usesEds(svc)) {
    cluster.edsClusterConfig = { edsConfig: adsConfigSource('0s'), serviceName: name };
  } else {
    // Istio: DNS → STRICT_DNS (every address is a host), DNS_ROUND_ROBIN → LOGICAL_DNS.
    const logical = svc.resolution === 'DNS_ROUND_ROBIN';
    cluster.type = logical ? 'LOGICAL_DNS' : 'STRICT_DNS';
    cluster.dnsLookupFamily = 'V4_ONLY';
    cluster.respectDnsTtl = true;
    cluster.loadAssignment = dnsLoadAssignment(ctx, name, svc, port, subset, logical);
  }
  return cluster;
}

/** Envoy's field order (roughly the proto's), so that output reads the same however built. */
const FIELD_ORDER: readonly (keyof ClusterV3)[] = [
  'name', 'type', 'connectTimeout', 'edsClusterConfig', 'dnsLookupFamily', 'respectDnsTtl', 'loadAssignment',
  'lbPolicy', 'ringHashLbConfig', 'maglevLbConfig', 'roundRobinLbConfig', 'leastRequestLbConfig', 'circuitBreakers',
  'typedExtensionProtocolOptions', 'outlierDetection', 'commonLbConfig', 'upstreamConnectionOptions', 'transportSocket',
];

function ordered(c: ClusterV3): ClusterV3 {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) if (c[k] !== undefined) out[k] = c[k];
  return out as unknown as ClusterV3;
}

/**
 * One outbound cluster with its effective traffic policy (rule, port level, subset), in
 * Istio's order: connection pool, outlier detection, load balancer and locality, TLS.
 * `grpc` keeps only what proxyless clients implement (cluster-warnings.ts says what not).
 */
export function outboundClusterV3(ctx: TranslateContext, svc: Service, port: ServicePort, subset: Subset | undefined, grpc: boolean): ClusterV3 {
  const name = outboundClusterName(svc.hostname, port.port, subset?.name ?? '');
  const cluster = baseCluster(ctx, svc, port, subset, name);
  if (isHttp2Port(port)) setHttp2(cluster);
  const policy = clusterPolicy(ctx, svc.hostname, port.port, subset);
  applyConnectionPool(cluster, policy?.connectionPool, grpc);
  applyOutlierDetection(cluster, policy?.outlierDetection, grpc);
  applyLoadBalancer(cluster, policy?.loadBalancer, grpc, ctx);
  if (!grpc) {
    const locality = policy?.loadBalancer?.localityLbSetting;
    const failover = cluster.outlierDetection !== undefined;
    if (needsLocalityWeightedLb(locality, failover)) cluster.commonLbConfig = { ...cluster.commonLbConfig, localityWeightedLbConfig: {} };
    const groups = cluster.loadAssignment?.endpoints as PrioritizedLocalityLbEndpoints[] | undefined;
    if (groups) applyLocalityLb(proxyLocality(ctx.proxy), groups, locality, failover);
    const http2 = cluster.typedExtensionProtocolOptions?.['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']?.explicitHttpConfig !== undefined;
    const socket = upstreamTransportSocket(policy?.tls, name, http2);
    if (socket) cluster.transportSocket = socket;
  }
  return ordered(cluster);
}

/**
 * envoy-types.ts's Cluster declares only the spine's fields; ClusterV3 is the full shape
 * of the same proto3 JSON message. Exported builders return Cluster, as callers expect.
 */
function asClusters(cs: ClusterV3[]): Cluster[] {
  return cs as unknown as Cluster[];
}

/** The outbound clusters of every visible service, service-wide then subsets, per port. */
export function buildOutboundClusters(ctx: TranslateContext, grpc: boolean): Cluster[] {
  return asClusters(outboundClusters(ctx, grpc));
}

function outboundClusters(ctx: TranslateContext, grpc: boolean): ClusterV3[] {
  const out: ClusterV3[] = [];
  for (const svc of visibleServices(ctx)) {
    // Proxyless gRPC has neither DNS nor original-destination clusters: EDS only.
    if (grpc && !usesEds(svc)) continue;
    const dr = destinationRuleFor(ctx, svc.hostname);
    if (dr) warnUnsupportedPolicy(ctx, dr, grpc);
    const subsets = subsetsFor(ctx, svc.hostname);
    for (const port of sortedPorts(svc)) {
      if (port.protocol === 'UDP') continue;
      out.push(outboundClusterV3(ctx, svc, port, undefined, grpc));
      for (const s of subsets) out.push(outboundClusterV3(ctx, svc, port, s, grpc));
    }
  }
  return out;
}

/** BlackHoleCluster: a STATIC cluster with no hosts; what REGISTRY_ONLY sends traffic to. */
export function blackHoleCluster(ctx: TranslateContext): Cluster {
  return { name: BLACKHOLE_CLUSTER, type: 'STATIC', connectTimeout: connectTimeout(ctx) };
}

/** PassthroughCluster: forwards to the connection's original destination. */
export function passthroughCluster(ctx: TranslateContext): Cluster {
  return {
    name: PASSTHROUGH_CLUSTER,
    type: 'ORIGINAL_DST',
    connectTimeout: connectTimeout(ctx),
    lbPolicy: 'CLUSTER_PROVIDED',
    circuitBreakers: { thresholds: [defaultThresholds()] },
  };
}

function clustersFor(ctx: TranslateContext): Cluster[] {
  switch (ctx.proxy.kind) {
    case 'grpc':
      return buildOutboundClusters(ctx, true);
    case 'sidecar':
      return [...buildOutboundClusters(ctx, false), blackHoleCluster(ctx), passthroughCluster(ctx)];
    case 'router':
      // Gateways: gateway-generate.ts's routerClusters (outbound clusters + BlackHoleCluster).
      return [];
  }
}

/** All clusters for a proxy, sorted by name. */
export function buildClusters(ctx: TranslateContext): Cluster[] {
  return clustersFor(ctx).sort((a, b) => compareStrings(a.name, b.name));
}
