// CDS: outbound clusters per service port (`outbound|PORT||HOST`) and per DestinationRule
// subset (`outbound|PORT|SUBSET|HOST`), plus the sidecar's fixed BlackHoleCluster and
// PassthroughCluster. InboundPassthroughCluster belongs to the inbound issue.
import type { Subset } from '../model/istio-types.js';
import type { Service, ServicePort } from '../model/service.js';
import type { TranslateContext } from './context.js';
import { destinationRuleFor, lbPolicyFor, subsetsFor, warnUntranslatedPolicy } from './destination-rule.js';
import { endpointsFor, localityLbEndpoints, usesEds } from './endpoints.js';
import type { Cluster, ClusterLoadAssignment, ConfigSource, Thresholds } from './envoy-types.js';
import { HTTP_PROTOCOL_OPTIONS_TYPE } from './envoy-types.js';
import { toProtoDuration } from './duration.js';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER, outboundClusterName } from './names.js';
import { isHttp2Port, sortedPorts, visibleServices } from './services.js';

const MAX_UINT32 = 4294967295;

/** Mesh connectTimeout in proto3 JSON form (the mesh config holds a Go duration string). */
function connectTimeout(ctx: TranslateContext): string {
  return toProtoDuration(ctx.push.mesh.connectTimeout) ?? '10s';
}

/**
 * Istio's default circuit breaker: every limit at its maximum (Envoy's own defaults, 1024
 * connections and 3 retries, are far too low for a mesh), remaining-capacity stats on.
 */
export function defaultThresholds(): Thresholds {
  return {
    maxConnections: MAX_UINT32,
    maxPendingRequests: MAX_UINT32,
    maxRequests: MAX_UINT32,
    maxRetries: MAX_UINT32,
    trackRemaining: true,
  };
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

function outboundCluster(
  ctx: TranslateContext,
  svc: Service,
  port: ServicePort,
  subset: Subset | undefined,
  grpc: boolean,
): Cluster {
  const name = outboundClusterName(svc.hostname, port.port, subset?.name ?? '');
  const cluster: Cluster = { name, type: 'EDS', connectTimeout: connectTimeout(ctx) };
  if (usesEds(svc)) {
    cluster.edsClusterConfig = { edsConfig: adsConfigSource('0s'), serviceName: name };
  } else {
    // Istio: DNS → STRICT_DNS (every address is a host), DNS_ROUND_ROBIN → LOGICAL_DNS.
    const logical = svc.resolution === 'DNS_ROUND_ROBIN';
    cluster.type = logical ? 'LOGICAL_DNS' : 'STRICT_DNS';
    cluster.dnsLookupFamily = 'V4_ONLY';
    cluster.respectDnsTtl = true;
    cluster.loadAssignment = dnsLoadAssignment(ctx, name, svc, port, subset, logical);
  }
  const lb = lbPolicyFor(ctx, svc.hostname, port.port, subset, grpc);
  if (lb) cluster.lbPolicy = lb;
  cluster.circuitBreakers = { thresholds: [defaultThresholds()] };
  if (isHttp2Port(port)) {
    cluster.typedExtensionProtocolOptions = {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
        explicitHttpConfig: { http2ProtocolOptions: {} },
      },
    };
  }
  // TODO(dr-policies): connectionPool, outlierDetection, tls, consistentHash, locality LB.
  return cluster;
}

/** The outbound clusters of every visible service, service-wide then subsets, per port. */
export function buildOutboundClusters(ctx: TranslateContext, grpc: boolean): Cluster[] {
  const out: Cluster[] = [];
  for (const svc of visibleServices(ctx)) {
    // grpc-js-xds has no STRICT_DNS clusters: proxyless clients get EDS clusters only.
    if (grpc && !usesEds(svc)) continue;
    const dr = destinationRuleFor(ctx, svc.hostname);
    if (dr) warnUntranslatedPolicy(ctx, dr);
    const subsets = subsetsFor(ctx, svc.hostname);
    for (const port of sortedPorts(svc)) {
      if (port.protocol === 'UDP') continue;
      out.push(outboundCluster(ctx, svc, port, undefined, grpc));
      for (const s of subsets) out.push(outboundCluster(ctx, svc, port, s, grpc));
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

/** All clusters for a proxy, sorted by name. Routers (gateways) get none yet (issue #3). */
export function buildClusters(ctx: TranslateContext): Cluster[] {
  switch (ctx.proxy.kind) {
    case 'grpc':
      return sortByName(buildOutboundClusters(ctx, true));
    case 'sidecar':
      return sortByName([...buildOutboundClusters(ctx, false), blackHoleCluster(ctx), passthroughCluster(ctx)]);
    case 'router':
      return [];
  }
}

function sortByName<T extends { name: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

