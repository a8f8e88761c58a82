// CDS for a sidecar's inbound side: one `inbound|PORT||` cluster per inbound port and the
// InboundPassthroughCluster for ports no service declares. Istio's current default (1.10+)
// forwards to the connection's original destination — the pod IP and port — through an
// ORIGINAL_DST cluster, bound to 127.0.0.6 so iptables does not capture the forwarded
// connection again. A Sidecar ingress defaultEndpoint makes the cluster STATIC instead.
import type { TranslateContext } from './context.js';
import { defaultThresholds } from './clusters.js';
import { toProtoDuration } from './duration.js';
import { HTTP_PROTOCOL_OPTIONS_TYPE } from './envoy-types.js';
import { isHttp2Port } from './services.js';
import type { BindConfig, InboundCluster } from './sidecar-envoy-types.js';
import { INBOUND_PASSTHROUGH_BIND, INBOUND_PASSTHROUGH_CLUSTER, inboundClusterName, type InboundPort } from './sidecar-inbound.js';

/** The largest google.protobuf.Duration: Istio disables ORIGINAL_DST host cleanup with it. */
const MAX_DURATION = '315576000000s';

function passthroughBind(): BindConfig {
  return { sourceAddress: { address: INBOUND_PASSTHROUGH_BIND, portValue: 0 } };
}

function connectTimeout(ctx: TranslateContext): string {
  return toProtoDuration(ctx.push.mesh.connectTimeout) ?? '10s';
}

export function inboundCluster(ctx: TranslateContext, p: InboundPort): InboundCluster {
  const name = inboundClusterName(p.port);
  const base: InboundCluster = { name, type: 'ORIGINAL_DST', connectTimeout: connectTimeout(ctx) };
  if (p.target.kind === 'original-dst') base.lbPolicy = 'CLUSTER_PROVIDED';
  base.circuitBreakers = { thresholds: [defaultThresholds()] };
  if (p.target.kind === 'original-dst') {
    base.cleanupInterval = MAX_DURATION;
    base.upstreamBindConfig = passthroughBind();
  } else {
    base.type = 'STATIC';
    base.loadAssignment = {
      clusterName: name,
      endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: p.target.address, portValue: p.target.port } } } }] }],
    };
    // Only a non-loopback target needs the bind that keeps iptables from re-capturing it.
    if (!p.target.localhost) base.upstreamBindConfig = passthroughBind();
  }
  // The app speaks the service port's protocol: HTTP/2 ports get an h2 upstream.
  if (isHttp2Port({ name: '', port: p.port, protocol: p.protocol })) {
    base.typedExtensionProtocolOptions = {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
        explicitHttpConfig: { http2ProtocolOptions: {} },
      },
    };
  }
  return base;
}

/** InboundPassthroughCluster: inbound traffic to ports no service declares, as addressed. */
export function inboundPassthroughCluster(ctx: TranslateContext): InboundCluster {
  return {
    name: INBOUND_PASSTHROUGH_CLUSTER,
    type: 'ORIGINAL_DST',
    connectTimeout: connectTimeout(ctx),
    lbPolicy: 'CLUSTER_PROVIDED',
    circuitBreakers: { thresholds: [defaultThresholds()] },
    upstreamBindConfig: passthroughBind(),
  };
}

/** Inbound clusters for a sidecar with an IP (none for gRPC clients, routers, unknown IPs). */
export function buildInboundClusters(ctx: TranslateContext, ports: readonly InboundPort[]): InboundCluster[] {
  if (ctx.proxy.kind !== 'sidecar' || ctx.proxy.ip === '') return [];
  return [...ports.map((p) => inboundCluster(ctx, p)), inboundPassthroughCluster(ctx)];
}
