// The bootstrap a proxy needs to find us: for Envoy, a node identity, an admin port and an
// ADS config pointing at one static cluster (`xds-grpc`, HTTP/2, as Istio's agent names
// it); for proxyless gRPC, the JSON that GRPC_XDS_BOOTSTRAP points at. Pure: flags in,
// JSON out. Field names are the protos' (snake_case), which Envoy and gRPC both read.
import { isIP } from 'node:net';
import { parseProxy } from '../translate/proxy.js';

export interface BootstrapInput {
  nodeId: string;
  /** host:port of the xDS server. */
  xdsAddress: { host: string; port: number };
  nodeCluster?: string;
  adminPort: number;
  delta: boolean;
}

/** node.cluster must be non-empty for ADS; default to Istio's `pod.namespace`-like name. */
function clusterFor(input: BootstrapInput): string {
  if (input.nodeCluster) return input.nodeCluster;
  const parts = input.nodeId.split('~');
  return parts.length === 4 && parts[2] ? parts[2] : input.nodeId;
}

function namespaceOf(nodeId: string): string | undefined {
  try {
    return parseProxy({ id: nodeId }).namespace;
  } catch {
    return undefined;
  }
}

/** An envoy.config.bootstrap.v3.Bootstrap in proto3 JSON. */
export function envoyBootstrap(input: BootstrapInput): Record<string, unknown> {
  const { host, port } = input.xdsAddress;
  const ads = { ads: {}, resource_api_version: 'V3' };
  return {
    node: { id: input.nodeId, cluster: clusterFor(input) },
    dynamic_resources: {
      lds_config: ads,
      cds_config: ads,
      ads_config: {
        // SotW over one stream, or the incremental (delta) protocol.
        api_type: input.delta ? 'DELTA_GRPC' : 'GRPC',
        transport_api_version: 'V3',
        set_node_on_first_message_only: true,
        grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }],
      },
    },
    static_resources: {
      clusters: [
        {
          name: 'xds-grpc',
          // An IP needs no resolver; a name is re-resolved as DNS changes.
          type: isIP(host) ? 'STATIC' : 'STRICT_DNS',
          connect_timeout: '1s',
          // gRPC is HTTP/2: the cluster must speak it upstream.
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
          load_assignment: {
            cluster_name: 'xds-grpc',
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }] }],
          },
        },
      ],
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: input.adminPort } } },
    // Envoy warns without a runtime; an empty static layer plus the admin layer is the usual pair.
    layered_runtime: {
      layers: [
        { name: 'global config', static_layer: {} },
        { name: 'admin', admin_layer: {} },
      ],
    },
  };
}

/** The bootstrap JSON of a proxyless gRPC client (grpc-js-xds, gRPC C-core, grpc-go). */
export function grpcBootstrap(input: BootstrapInput): Record<string, unknown> {
  const ns = namespaceOf(input.nodeId);
  return {
    xds_servers: [
      {
        server_uri: `${input.xdsAddress.host.includes(':') ? `[${input.xdsAddress.host}]` : input.xdsAddress.host}:${input.xdsAddress.port}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: {
      id: input.nodeId,
      cluster: clusterFor(input),
      locality: {},
      // GENERATOR=grpc is how mini-istiod (and istiod) know to send proxyless config.
      metadata: { GENERATOR: 'grpc', ...(ns ? { NAMESPACE: ns } : {}) },
    },
  };
}
