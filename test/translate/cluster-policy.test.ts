// Unit tests for the DestinationRule side that goldens cannot reach yet: the namespace
// lookup order over unmerged rules, Istio's policy merge, hashPolicyFor(), ORIGINAL_DST
// clusters for resolution NONE and PASSTHROUGH.
import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/model/config.js';
import type { PushContext } from '../../src/push/push-context.js';
import { outboundClusterV3 } from '../../src/translate/clusters.js';
import { lookupDestinationRule, mostSpecificHost } from '../../src/translate/dr-lookup.js';
import { effectivePolicy } from '../../src/translate/dr-merge.js';
import { hashPolicyFor } from '../../src/translate/dr-hash-policy.js';
import { edsClusterNames } from '../../src/translate/endpoints.js';
import { parseProxy } from '../../src/translate/proxy.js';
import { GRPC, SIDECAR, ctxFor, dr, push, service } from './fixtures.js';

const HOST = 'reviews.apps.svc.cluster.local';
const reviews = service('reviews', 'apps', [{ name: 'http', port: 9080, protocol: 'HTTP' }]);

/** A push carrying every rule unmerged, as the lookup wants PushContext to (see dr-lookup.ts). */
function withRules(rules: ConfigObject<'DestinationRule'>[]): PushContext {
  return { ...push({ services: [reviews] }), destinationRules: rules } as PushContext;
}

const inApps = parseProxy({ id: 'sidecar~10.1.0.2~a-1.apps~apps.svc.cluster.local' });
const inRoot = parseProxy({ id: 'sidecar~10.1.0.3~gw-1.istio-system~istio-system.svc.cluster.local' });

describe('DestinationRule lookup (proxy namespace, service namespace, root namespace)', () => {
  const proxyNs = dr('local', 'default', { host: HOST, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } });
  const svcNs = dr('svc', 'apps', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } });
  const svcPrivate = dr('svc-private', 'apps', { host: 'reviews', exportTo: ['.'], trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } });
  const rootWide = dr('mesh', 'istio-system', { host: '*.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
  const name = (p: PushContext, proxy = SIDECAR): string | undefined => lookupDestinationRule(ctxFor(p, proxy).ctx, HOST)?.metadata.name;

  it("prefers the proxy's own namespace, then the service's exported rule, then the root namespace", () => {
    expect(name(withRules([proxyNs, svcNs, rootWide]))).toBe('local');
    expect(name(withRules([svcNs, rootWide]))).toBe('svc');
    expect(name(withRules([rootWide]))).toBe('mesh');
  });

  it("a rule exported only to its namespace applies there and nowhere else", () => {
    expect(name(withRules([svcPrivate, rootWide]))).toBe('mesh');
    expect(name(withRules([svcPrivate, rootWide]), inApps)).toBe('svc-private');
  });

  it('a proxy in the root namespace does not let mesh-wide rules shadow the service rule', () => {
    expect(name(withRules([svcNs, rootWide]), inRoot)).toBe('svc');
  });

  it('exportTo naming the proxy namespace exports; "~" exports to no one', () => {
    const toDefault = dr('to-default', 'apps', { host: 'reviews', exportTo: ['default'], trafficPolicy: {} });
    const none = dr('none', 'apps', { host: 'reviews', exportTo: ['~'], trafficPolicy: {} });
    expect(name(withRules([toDefault]))).toBe('to-default');
    expect(name(withRules([none]))).toBeUndefined();
    expect(name(withRules([none]), inApps)).toBeUndefined();
  });

  it('matches the exact host first, then the longest wildcard', () => {
    expect(mostSpecificHost('a.b.example.com', ['*', '*.example.com', '*.b.example.com'])).toBe('*.b.example.com');
    expect(mostSpecificHost('a.example.com', ['*.example.com', 'a.example.com'])).toBe('a.example.com');
    expect(mostSpecificHost('example.com', ['*.example.com'])).toBeUndefined();
  });
});

describe('effectivePolicy (Istio MergeSubsetTrafficPolicy)', () => {
  const rule = {
    loadBalancer: { simple: 'RANDOM' as const },
    outlierDetection: { consecutive5xxErrors: 3 },
    portLevelSettings: [{ port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 5 } } }],
  };

  it('port-level settings replace the four fields wholesale', () => {
    expect(effectivePolicy(rule, undefined, 9080)).toEqual({ connectionPool: { tcp: { maxConnections: 5 } } });
    expect(effectivePolicy(rule, undefined, 9090)).toEqual({ loadBalancer: { simple: 'RANDOM' }, outlierDetection: { consecutive5xxErrors: 3 } });
  });

  it('a subset overrides per field and inherits the rest', () => {
    const subset = { name: 'v1', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' as const } } };
    expect(effectivePolicy(rule, subset, 9090)).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' }, outlierDetection: { consecutive5xxErrors: 3 } });
    expect(effectivePolicy(rule, subset, 9080)).toEqual({ connectionPool: { tcp: { maxConnections: 5 } }, loadBalancer: { simple: 'ROUND_ROBIN' } });
    expect(effectivePolicy(undefined, subset, 9080)).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' } });
  });
});

describe('hashPolicyFor', () => {
  const hashed = dr('reviews', 'apps', {
    host: 'reviews',
    trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } } },
    subsets: [
      { name: 'ip', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { consistentHash: { useSourceIp: true } } } },
      { name: 'cookie', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { name: 'sid', ttl: '10s' } } } } },
      { name: 'rr', labels: { version: 'v3' }, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } },
    ],
  });
  const p = push({ services: [reviews], dr: { [HOST]: hashed } });

  it('translates each consistentHash kind for Envoy', () => {
    expect(hashPolicyFor(p, SIDECAR, `outbound|9080||${HOST}`)).toEqual([{ header: { headerName: 'x-user' } }]);
    expect(hashPolicyFor(p, SIDECAR, `outbound|9080|ip|${HOST}`)).toEqual([{ connectionProperties: { sourceIp: true } }]);
    expect(hashPolicyFor(p, SIDECAR, `outbound|9080|cookie|${HOST}`)).toEqual([{ cookie: { name: 'sid', ttl: '10s' } }]);
  });

  it('is empty for clusters that do not hash, unknown subsets and junk names', () => {
    // The subset's simple load balancer replaces the rule's consistentHash.
    expect(hashPolicyFor(p, SIDECAR, `outbound|9080|rr|${HOST}`)).toEqual([]);
    expect(hashPolicyFor(p, SIDECAR, `outbound|9080|nope|${HOST}`)).toEqual([]);
    expect(hashPolicyFor(p, SIDECAR, 'PassthroughCluster')).toEqual([]);
  });

  it('gives gRPC clients only what they hash on: headers, and the channel for source IP', () => {
    expect(hashPolicyFor(p, GRPC, `outbound|9080||${HOST}`)).toEqual([{ header: { headerName: 'x-user' } }]);
    expect(hashPolicyFor(p, GRPC, `outbound|9080|ip|${HOST}`)).toEqual([{ filterState: { key: 'io.grpc.channel_id' } }]);
    expect(hashPolicyFor(p, GRPC, `outbound|9080|cookie|${HOST}`)).toEqual([]);
  });
});

describe('original-destination clusters', () => {
  it('resolution NONE → ORIGINAL_DST with CLUSTER_PROVIDED, whatever the rule says', () => {
    const none = service('legacy', 'apps', [{ name: 'tcp', port: 3306, protocol: 'TCP' }], { resolution: 'NONE', origin: 'serviceentry' });
    const rule = dr('legacy', 'apps', { host: 'legacy', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } });
    const { ctx } = ctxFor(push({ services: [none], dr: { [none.hostname]: rule } }));
    const c = outboundClusterV3(ctx, none, none.ports[0]!, undefined, false);
    expect(c).toMatchObject({ name: 'outbound|3306||legacy.apps.svc.cluster.local', type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
    expect(c.edsClusterConfig).toBeUndefined();
    expect(c.loadAssignment).toBeUndefined();
  });

  it('PASSTHROUGH turns an EDS cluster into ORIGINAL_DST, and EDS stops listing it', () => {
    const rule = dr('reviews', 'apps', { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'PASSTHROUGH' } } });
    const p = push({ services: [reviews], dr: { [HOST]: rule } });
    const c = outboundClusterV3(ctxFor(p).ctx, reviews, reviews.ports[0]!, undefined, false);
    expect(c).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
    expect(c.edsClusterConfig).toBeUndefined();
    expect(edsClusterNames(ctxFor(p).ctx)).toEqual([]);
    // gRPC has no original-destination clusters: it keeps EDS (and is warned).
    expect(edsClusterNames(ctxFor(p, GRPC).ctx)).toEqual([`outbound|9080||${HOST}`]);
  });
});
