// Sidecar scoping: what a proxy can reach, walked through its own resources with the
// route-table simulator, plus the selection order, egress host matching, cache keys,
// the schema's checks and the mesh config's defaultConfig.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMeshConfig } from '../../src/model/mesh-config.js';
import { validateObject } from '../../src/model/schemas/index.js';
import { TypeUrl, type Resource } from '../../src/translate/api.js';
import { generators } from '../../src/translate/generators.js';
import type { PushContext } from '../../src/push/push-context.js';
import { parseProxy, type Proxy } from '../../src/translate/proxy.js';
import { hostSubsetOf, hostsMatch, importsService, parseEgressHosts } from '../../src/translate/sidecar-hosts.js';
import { chooseSidecar, sidecarScopeFor } from '../../src/translate/sidecar-scope.js';
import { buildPush, parseInput, runCase } from '../golden/harness.js';
import { simulate } from '../support/simulator.js';

const testdata = (name: string): string => readFileSync(new URL(`../golden/testdata/${name}.in.yaml`, import.meta.url), 'utf8');

function proxyResources(caseName: string, proxy: string): Resource[] {
  const o = runCase(testdata(caseName)).outputs.find((x) => x.spec.name === proxy);
  if (!o) throw new Error(`no proxy ${proxy}`);
  return o.out.resources;
}

describe('egress ./* and istio-system/* (sidecar-egress)', () => {
  const restricted = proxyResources('sidecar-egress', 'frontend-restricted');
  const open = proxyResources('sidecar-egress', 'ratings-default');

  it('a host outside egress has no listener or route: it leaves through PassthroughCluster', () => {
    const r = simulate(restricted, { port: 9080, destinationIp: '10.96.0.12', host: 'reviews.default.svc.cluster.local', path: '/' });
    expect(r).toMatchObject({ listener: 'virtualOutbound', kind: 'tcp', cluster: 'PassthroughCluster' });
    expect(restricted.some((x) => x.name.includes('reviews.default'))).toBe(false);
  });

  it('imported hosts route as usual', () => {
    expect(simulate(restricted, { port: 15010, host: 'istiod.istio-system.svc.cluster.local', path: '/' }).cluster).toBe('outbound|15010||istiod.istio-system.svc.cluster.local');
    expect(simulate(restricted, { port: 8080, host: 'frontend', path: '/' }).cluster).toBe('outbound|8080||frontend.restricted.svc.cluster.local');
  });

  it('a proxy without a Sidecar still sees everything exported to it', () => {
    expect(simulate(open, { port: 9080, host: 'reviews', path: '/' }).cluster).toBe('outbound|9080||reviews.default.svc.cluster.local');
  });
});

describe('outboundTrafficPolicy REGISTRY_ONLY from a Sidecar (sidecar-registry-only)', () => {
  const restricted = proxyResources('sidecar-registry-only', 'frontend-restricted');
  const open = proxyResources('sidecar-registry-only', 'ratings-default');

  it('an unknown host on a known port hits block_all (502)', () => {
    const r = simulate(restricted, { port: 9080, host: 'ratings.default.svc.cluster.local', path: '/' });
    expect(r).toMatchObject({ virtualHost: 'block_all', directResponse: { status: 502 } });
  });

  it('an address without a listener goes to BlackHoleCluster', () => {
    expect(simulate(restricted, { port: 3306, destinationIp: '10.9.9.9' })).toMatchObject({ listener: 'virtualOutbound', cluster: 'BlackHoleCluster' });
  });

  it('the egress port trims reviews to 9080, imported from any namespace by name', () => {
    expect(simulate(restricted, { port: 9080, host: 'reviews.default', path: '/' }).cluster).toBe('outbound|9080||reviews.default.svc.cluster.local');
  });

  it('the mesh default (ALLOW_ANY) still applies to proxies without that Sidecar', () => {
    expect(simulate(open, { port: 3306, destinationIp: '10.9.9.9' }).cluster).toBe('PassthroughCluster');
    expect(simulate(open, { port: 9080, host: 'example.com', path: '/' }).virtualHost).toBe('allow_any');
  });
});

describe('Sidecar selection', () => {
  const input = parseInput(testdata('sidecar-workload-selector'));
  const push = buildPush(input.objects, input.mesh);
  const proxy = (labels: Record<string, string>, ns = 'restricted') =>
    parseProxy({ id: `sidecar~10.1.2.9~p.${ns}~${ns}.svc.cluster.local`, metadata: { LABELS: labels } });

  it('workloadSelector first, then the oldest selector-less Sidecar of the namespace', () => {
    expect(chooseSidecar(push, proxy({ app: 'frontend', version: 'v2' })).sidecar?.metadata.name).toBe('v2-only');
    const v1 = chooseSidecar(push, proxy({ app: 'frontend', version: 'v1' }));
    expect(v1.sidecar?.metadata.name).toBe('namespace-wide');
    expect(v1.ignored.map((s) => s.metadata.name)).toEqual(['newer-namespace-wide']);
  });

  it('an endpoint-only push reuses the scopes (they do not read endpoints); a full push rebuilds them', () => {
    const p = proxy({ app: 'frontend', version: 'v2' });
    const edsOnly: PushContext = { ...push, version: 'eds', endpointsByHost: new Map() };
    expect(sidecarScopeFor(edsOnly, p)).toBe(sidecarScopeFor(push, p));
    const rebuilt = buildPush(input.objects, input.mesh);
    expect(sidecarScopeFor(rebuilt, p)).not.toBe(sidecarScopeFor(push, p));
    expect(sidecarScopeFor(rebuilt, p).services).toEqual(sidecarScopeFor(push, p).services);
  });

  it('root namespace Sidecar only where a namespace has none; routers never get one', () => {
    const root = parseInput(testdata('mesh-root-namespace'));
    const p = buildPush(root.objects, root.mesh);
    expect(chooseSidecar(p, proxy({}, 'default')).sidecar?.metadata.namespace).toBe('mesh-root');
    expect(chooseSidecar(p, proxy({}, 'restricted')).sidecar?.metadata.name).toBe('open');
    const router = parseProxy({ id: 'router~10.1.0.1~gw.default~default.svc.cluster.local' });
    expect(chooseSidecar(p, router).sidecar).toBeUndefined();
  });

  it('scope keys: shared by proxies under one Sidecar, distinct across Sidecars', () => {
    const rds = generators[TypeUrl.RouteConfiguration];
    const eds = generators[TypeUrl.ClusterLoadAssignment];
    const a = proxy({ app: 'frontend', version: 'v1' });
    const b = proxy({ app: 'frontend', version: 'v1', extra: 'x' });
    const c = proxy({ app: 'frontend', version: 'v2' });
    // The cache calls scopeKey(proxy) today; with the push it keys on the Sidecar.
    const key = (g: typeof eds, p: Proxy) => (g.scopeKey as (p: Proxy, push?: PushContext) => string)(p, push);
    expect(key(eds, a)).toBe(key(eds, b));
    expect(key(eds, a)).not.toBe(key(eds, c));
    expect(key(rds, a)).not.toBe(key(rds, c));
    expect(eds.scopeKey(a)).not.toBe(eds.scopeKey(c));
  });
});

describe('egress host matching', () => {
  it('follows Istio wildcard rules', () => {
    expect(hostSubsetOf('a.example.com', '*.example.com')).toBe(true);
    expect(hostSubsetOf('example.com', '*.example.com')).toBe(false);
    expect(hostSubsetOf('*.b.example.com', '*.example.com')).toBe(true);
    expect(hostSubsetOf('*.example.com', 'a.example.com')).toBe(false);
    expect(hostsMatch('*.example.com', 'a.example.com')).toBe(true);
    expect(hostSubsetOf('anything', '*')).toBe(true);
  });

  it('reads ./, ns/, */ and ~/ entries', () => {
    const imp = parseEgressHosts(['./*', 'istio-system/istiod.istio-system.svc.cluster.local', '*/*.example.com', '~/*'], 'web');
    expect(importsService(imp, 'web', 'x.web.svc.cluster.local')).toBe(true);
    expect(importsService(imp, 'istio-system', 'istiod.istio-system.svc.cluster.local')).toBe(true);
    expect(importsService(imp, 'istio-system', 'other.istio-system.svc.cluster.local')).toBe(false);
    expect(importsService(imp, 'ext', 'api.example.com')).toBe(true);
    expect(importsService(imp, 'default', 'reviews.default.svc.cluster.local')).toBe(false);
    expect(importsService(parseEgressHosts(['~/*'], 'web'), 'web', 'x.web.svc.cluster.local')).toBe(false);
  });
});

describe('Sidecar schema and mesh config', () => {
  const check = (spec: unknown) =>
    validateObject({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's', namespace: 'ns' }, spec }, { source: 'test', location: 'x' }, () => '2024-01-01T00:00:00Z');

  it('accepts the full API and rejects malformed hosts, endpoints and pools', () => {
    expect(check({ egress: [{ hosts: ['./*'], port: { number: 80, protocol: 'HTTP', name: 'http' } }], ingress: [{ port: { number: 9080 }, defaultEndpoint: 'unix:///sock' }], inboundConnectionPool: { tcp: { maxConnections: 5 } } }).status).toBe('ok');
    const bad = check({ egress: [{ hosts: ['reviews'] }], ingress: [{ port: { number: 1 }, defaultEndpoint: '10.0.0.1:80', connectionPool: { tcp: { nope: 1 } } }] });
    expect(bad.status).toBe('invalid');
    const fields = bad.status === 'invalid' ? bad.errors.map((e) => e.message).join('\n') : '';
    expect(fields).toMatch(/namespace\/dnsName/);
    expect(fields).toMatch(/127\.0\.0\.1:PORT/);
    expect(fields).toMatch(/nope/);
  });

  it('defaultConfig is accepted and each ProxyConfig field reported', () => {
    const m = parseMeshConfig('rootNamespace: mesh-root\ndefaultConfig:\n  concurrency: 2\n  holdApplicationUntilProxyStarts: true\nenableTracing: true\n', 'mesh.yaml');
    expect(m.mesh.rootNamespace).toBe('mesh-root');
    expect(m.unsupported).toEqual(['defaultConfig.concurrency', 'defaultConfig.holdApplicationUntilProxyStarts', 'enableTracing']);
    expect(() => parseMeshConfig('defaultConfig: 3\n', 'mesh.yaml')).toThrow(/defaultConfig/);
  });

  it('unsupported Sidecar fields are warned about once', () => {
    const ws = runCase(testdata('sidecar-workload-selector')).outputs.flatMap((o) => o.out.warnings);
    expect(ws.filter((w) => w.field === 'spec.egress[0].captureMode')).toHaveLength(1);
  });
});
