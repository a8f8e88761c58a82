// Every Envoy bootstrap the command prints is one Envoy would load: the strict proto3 JSON
// parse (unknown fields are errors) and Envoy's validate.rules both accept it.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bootstrapText, type BootstrapFlags } from '../../src/cli/bootstrap.js';
import { fromJson } from '../../src/envoy/codec.js';
import { validateMessage } from '../../src/envoy/validate.js';

const SIDECAR = 'sidecar~127.0.0.10~productpage-v1.default~default.svc.cluster.local';
const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';
const base: BootstrapFlags = { nodeId: SIDECAR, xdsAddress: { host: '127.0.0.1', port: 15010 }, adminPort: 15000, delta: false, grpc: false };

describe('bootstrap', () => {
  it.each<[string, Partial<BootstrapFlags>]>([
    ['SotW, IP address (STATIC)', {}],
    ['delta', { delta: true }],
    ['DNS name (STRICT_DNS), custom cluster and admin port', { xdsAddress: { host: 'istiod.istio-system.svc', port: 15010 }, nodeCluster: 'pp', adminPort: 19000 }],
    ['JSON output', { output: 'json' }],
  ])('Envoy %s: passes fromJson and validate.rules', (_name, flags) => {
    const text = bootstrapText({ ...base, ...flags });
    const doc = (flags.output === 'json' ? JSON.parse(text) : parse(text)) as Record<string, unknown>;
    expect(() => fromJson(BOOTSTRAP, doc)).not.toThrow();
    expect(validateMessage(BOOTSTRAP, doc)).toEqual([]);
  });

  it('points ADS at the xds-grpc cluster with the flags given', () => {
    const doc = parse(bootstrapText({ ...base, delta: true, xdsAddress: { host: 'istiod', port: 15010 } }));
    expect(doc.node).toEqual({ id: SIDECAR, cluster: 'productpage-v1.default' });
    expect(doc.dynamic_resources.ads_config).toMatchObject({ api_type: 'DELTA_GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }] });
    expect(doc.dynamic_resources.lds_config).toEqual({ ads: {}, resource_api_version: 'V3' });
    const xds = doc.static_resources.clusters[0];
    expect(xds).toMatchObject({ name: 'xds-grpc', type: 'STRICT_DNS' });
    expect(xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: 'istiod', port_value: 15010 });
    expect(doc.admin.address.socket_address.port_value).toBe(15000);
    expect(doc.layered_runtime.layers.map((l: { name: string }) => l.name)).toEqual(['global config', 'admin']);
  });

  it('--grpc prints a gRPC xDS bootstrap JSON', () => {
    const doc = JSON.parse(bootstrapText({ ...base, grpc: true }));
    expect(doc).toEqual({
      xds_servers: [{ server_uri: '127.0.0.1:15010', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: SIDECAR, cluster: 'productpage-v1.default', locality: {}, metadata: { GENERATOR: 'grpc', NAMESPACE: 'default' } },
    });
    expect(() => bootstrapText({ ...base, grpc: true, delta: true })).toThrow(/state-of-the-world/);
  });
});
