// Feature gates by gRPC client release (grpc-client-features.ts): the user agent decoded
// from the xDS Node, supportsRingHash(), and what a client that cannot take RING_HASH gets
// instead: ROUND_ROBIN, no route hash policy, one warning naming the rule's field.
import { describe, expect, it } from 'vitest';
import { lookupType } from '../../src/envoy/protos.js';
import type { LoadBalancerSettings } from '../../src/model/istio-types.js';
import { applyLoadBalancer } from '../../src/translate/cluster-lb.js';
import type { ClusterV3 } from '../../src/translate/cluster-envoy-types.js';
import { hashPolicyFor } from '../../src/translate/dr-hash-policy.js';
import { compareVersions, isCCoreClient, supportsRingHash } from '../../src/translate/grpc-client-features.js';
import { parseProxy, type Proxy } from '../../src/translate/proxy.js';
import { decodeDiscoveryRequest } from '../../src/xds/ads-service.js';
import { ctxFor, dr, push, service } from './fixtures.js';

/** What the two clients in our tests send (probed against a raw ADS server). */
const GRPC_JS = { name: 'gRPC Node Pure JS', version: '1.14.1' };
const PYTHON_151 = { name: 'gRPC C-core linux Python', version: 'C-core 29.0.0 Python 1.51.1' };

function grpcProxy(userAgent?: { name: string; version: string }): Proxy {
  return parseProxy({
    id: 'client-1',
    metadata: { GENERATOR: 'grpc', NAMESPACE: 'default' },
    ...(userAgent ? { userAgentName: userAgent.name, userAgentVersion: userAgent.version } : {}),
  });
}

describe('user agent from the xDS Node', () => {
  it('decodes user_agent_name and user_agent_version from a DiscoveryRequest', () => {
    const type = lookupType('envoy.service.discovery.v3.DiscoveryRequest');
    const bytes = type.encode(type.fromObject({ node: { id: 'n', userAgentName: PYTHON_151.name, userAgentVersion: PYTHON_151.version } })).finish();
    const node = decodeDiscoveryRequest(Buffer.from(bytes)).node;
    expect(parseProxy({ ...node, metadata: { GENERATOR: 'grpc' } }).userAgent).toEqual(PYTHON_151);
  });

  it('reads user_agent_build_version when no version string is sent', () => {
    const type = lookupType('envoy.service.discovery.v3.DiscoveryRequest');
    const node = { id: 'n', userAgentName: 'gRPC C++', userAgentBuildVersion: { version: { majorNumber: 1, minorNumber: 51, patch: 3 } } };
    const decoded = decodeDiscoveryRequest(Buffer.from(type.encode(type.fromObject({ node })).finish())).node;
    expect(parseProxy({ ...decoded, metadata: { GENERATOR: 'grpc' } }).userAgent).toEqual({ name: 'gRPC C++', version: '1.51.3' });
  });

  it('leaves userAgent unset when the node has none', () => {
    const type = lookupType('envoy.service.discovery.v3.DiscoveryRequest');
    const decoded = decodeDiscoveryRequest(Buffer.from(type.encode(type.fromObject({ node: { id: 'n' } })).finish())).node;
    expect(parseProxy({ ...decoded, metadata: { GENERATOR: 'grpc' } })).not.toHaveProperty('userAgent');
  });
});

describe('supportsRingHash', () => {
  it('refuses C-core clients before 1.52', () => {
    expect(supportsRingHash(grpcProxy(PYTHON_151))).toBe(false);
    expect(supportsRingHash(grpcProxy({ name: 'gRPC Python', version: '1.51.1' }))).toBe(false);
    expect(supportsRingHash(grpcProxy({ name: 'gRPC C-core linux Ruby', version: 'C-core 28.0.0 Ruby 1.50.0' }))).toBe(false);
    // A bare core version below 30 may be 1.51 or 1.52: treated as affected (safe side).
    expect(supportsRingHash(grpcProxy({ name: 'gRPC C-core linux', version: 'C-core 29.0.0' }))).toBe(false);
  });

  it('accepts C-core 1.52 and later', () => {
    expect(supportsRingHash(grpcProxy({ name: 'gRPC C-core linux Python', version: 'C-core 29.0.0 Python 1.52.0' }))).toBe(true);
    expect(supportsRingHash(grpcProxy({ name: 'gRPC Python', version: '1.60.1' }))).toBe(true);
    expect(supportsRingHash(grpcProxy({ name: 'gRPC C-core linux', version: 'C-core 37.0.0' }))).toBe(true);
  });

  it('accepts grpc-js, other stacks, Envoy and unknown clients', () => {
    expect(supportsRingHash(grpcProxy(GRPC_JS))).toBe(true);
    expect(supportsRingHash(grpcProxy({ name: 'grpc-node-js', version: '1.8.0' }))).toBe(true);
    expect(supportsRingHash(grpcProxy({ name: 'gRPC Java', version: '1.40.0' }))).toBe(true);
    expect(supportsRingHash(grpcProxy({ name: 'envoy', version: '1.24.0' }))).toBe(true);
    expect(supportsRingHash(grpcProxy())).toBe(true);
    expect(supportsRingHash(grpcProxy({ name: 'gRPC Python', version: 'unknown' }))).toBe(true);
  });

  it('classifies client names and compares versions numerically', () => {
    expect(['gRPC C-core linux Python', 'gRPC C++', 'grpc-ruby', 'gRPC PHP', 'gRPC C#'].map(isCCoreClient)).toEqual([true, true, true, true, true]);
    expect(['gRPC Node Pure JS', 'grpc-node-js', 'envoy', 'gRPC Go'].map(isCCoreClient)).toEqual([false, false, false, false]);
    expect(compareVersions([1, 9, 0], [1, 52, 0])).toBeLessThan(0);
    expect(compareVersions([1, 52, 0], [1, 52, 0])).toBe(0);
  });
});

describe('RING_HASH gate on the cluster and the route', () => {
  const HOST = 'reviews.default.svc.cluster.local';
  const reviews = service('reviews', 'default', [{ name: 'http', port: 9080, protocol: 'HTTP' }]);
  const byUser: LoadBalancerSettings = { consistentHash: { httpHeaderName: 'x-user' } };
  const rule = dr('reviews', 'default', {
    host: 'reviews',
    trafficPolicy: { loadBalancer: byUser },
    subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { consistentHash: { useSourceIp: true } } }] } }],
  });
  const p = push({ services: [reviews], dr: { [HOST]: rule } });
  const cluster = (name: string): ClusterV3 => ({ name, type: 'EDS', connectTimeout: '10s' });

  const lb = (proxy: Proxy, name = `outbound|9080||${HOST}`, settings = byUser): { c: ClusterV3; warnings: unknown[] } => {
    const { ctx, warnings } = ctxFor(p, proxy);
    const c = cluster(name);
    applyLoadBalancer(c, settings, true, ctx);
    return { c, warnings: warnings.filter((w) => w.message.includes('RING_HASH')) };
  };

  it('C-core 1.51 gets ROUND_ROBIN, no hash policy, and a warning naming the rule field', () => {
    const proxy = grpcProxy(PYTHON_151);
    const { c, warnings } = lb(proxy);
    expect(c.lbPolicy ?? 'ROUND_ROBIN').toBe('ROUND_ROBIN');
    expect(c.ringHashLbConfig).toBeUndefined();
    expect(warnings).toEqual([
      {
        object: 'DestinationRule default/reviews',
        field: 'spec.trafficPolicy.loadBalancer.consistentHash',
        message: 'gRPC C-core < 1.52 crashes on RING_HASH (grpc/grpc#31766): sending ROUND_ROBIN to client-1',
      },
    ]);
    expect(hashPolicyFor(p, proxy, `outbound|9080||${HOST}`)).toEqual([]);
    expect(hashPolicyFor(p, proxy, `outbound|9080|v1|${HOST}`)).toEqual([]);
  });

  it('names the subset port-level field when that is where the hash comes from', () => {
    const { warnings } = lb(grpcProxy(PYTHON_151), `outbound|9080|v1|${HOST}`, { consistentHash: { useSourceIp: true } });
    expect(warnings).toMatchObject([{ field: 'spec.subsets[0].trafficPolicy.portLevelSettings[0].loadBalancer.consistentHash' }]);
  });

  it('grpc-js, C-core 1.52 and clients without a user agent keep RING_HASH and the hash policy', () => {
    for (const ua of [GRPC_JS, { name: 'gRPC Python', version: '1.52.0' }, undefined]) {
      const proxy = grpcProxy(ua);
      const { c, warnings } = lb(proxy);
      expect(c.lbPolicy, ua?.name).toBe('RING_HASH');
      expect(warnings, ua?.name).toEqual([]);
      expect(hashPolicyFor(p, proxy, `outbound|9080||${HOST}`)).toEqual([{ header: { headerName: 'x-user' } }]);
    }
  });

  it('Envoy sidecars are never gated, whatever they call themselves', () => {
    const sidecar = parseProxy({ id: 'sidecar~10.1.0.1~app-1.default~default.svc.cluster.local', userAgentName: 'gRPC Python', userAgentVersion: '1.51.1' });
    const { c } = lb(sidecar);
    const { ctx } = ctxFor(p, sidecar);
    const envoy = cluster(`outbound|9080||${HOST}`);
    applyLoadBalancer(envoy, byUser, false, ctx);
    expect(envoy.lbPolicy).toBe('RING_HASH');
    expect(c.lbPolicy).toBe('RING_HASH');
    expect(hashPolicyFor(p, sidecar, `outbound|9080||${HOST}`)).toEqual([{ header: { headerName: 'x-user' } }]);
  });

  it('without a context (callers not yet passing one) gRPC gets RING_HASH as before', () => {
    const c = cluster(`outbound|9080||${HOST}`);
    applyLoadBalancer(c, byUser, true);
    expect(c.lbPolicy).toBe('RING_HASH');
  });
});
