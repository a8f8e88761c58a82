import { describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/translate/api.js';
import { buildClusters } from '../../src/translate/clusters.js';
import { edsClusterNames, loadAssignmentByName } from '../../src/translate/endpoints.js';
import { generateAll, generators } from '../../src/translate/generators.js';
import { buildVirtualServiceRoutes } from '../../src/translate/http-route.js';
import { sidecarListeners } from '../../src/translate/listeners-sidecar.js';
import { isCatchAll, translateRouteMatch } from '../../src/translate/route-match.js';
import { virtualHostDomains } from '../../src/translate/routes.js';
import { GRPC, ctxFor, dr, endpoint, push, service, vs } from './fixtures.js';

const reviews = service('reviews', 'default', [{ name: 'http', port: 9080, protocol: 'HTTP' }]);
const grpcSvc = service('echo', 'default', [{ name: 'grpc', port: 7070, protocol: 'GRPC' }], { addresses: ['10.96.0.2'] });
const db = service('db', 'data', [{ name: 'tcp', port: 3306, protocol: 'TCP' }], { addresses: ['10.96.0.3'] });
const base = push({
  services: [reviews, grpcSvc, db],
  endpoints: {
    [reviews.hostname]: [
      endpoint('10.1.0.2', 9080, 'http', { labels: { version: 'v2' }, locality: { region: 'r', zone: 'b', subZone: '' }, weight: 3 }),
      endpoint('10.1.0.1', 9080, 'http', { labels: { version: 'v1' }, locality: { region: 'r', zone: 'a', subZone: '' } }),
      endpoint('10.1.0.3', 9080, 'http', { labels: { version: 'v2' }, locality: { region: 'r', zone: 'b', subZone: '' }, healthy: false }),
    ],
  },
  dr: { [reviews.hostname]: dr('reviews', 'default', { host: 'reviews', subsets: [{ name: 'v2', labels: { version: 'v2' } }, { name: 'v1', labels: { version: 'v1' } }] }) },
});

describe('CDS', () => {
  it('emits service and subset clusters with Istio defaults, plus fixed sidecar clusters', () => {
    const names = buildClusters(ctxFor(base).ctx).map((c) => c.name);
    expect(names).toEqual([
      'BlackHoleCluster', 'PassthroughCluster',
      'outbound|3306||db.data.svc.cluster.local', 'outbound|7070||echo.default.svc.cluster.local',
      'outbound|9080|v1|reviews.default.svc.cluster.local', 'outbound|9080|v2|reviews.default.svc.cluster.local',
      'outbound|9080||reviews.default.svc.cluster.local',
    ]);
    const echo = buildClusters(ctxFor(base).ctx).find((c) => c.name.includes('echo'))!;
    expect(echo.lbPolicy).toBe('LEAST_REQUEST');
    expect(echo.typedExtensionProtocolOptions).toBeDefined();
  });
  it('gives gRPC clients only EDS clusters, always ROUND_ROBIN', () => {
    const cs = buildClusters(ctxFor(base, GRPC).ctx);
    expect(cs.some((c) => c.name === 'PassthroughCluster')).toBe(false);
    expect(cs.every((c) => c.lbPolicy === undefined && c.type === 'EDS')).toBe(true);
  });
});

describe('EDS', () => {
  it('groups by sorted locality with weight sums and filters subsets', () => {
    const { ctx } = ctxFor(base);
    const visible = new Map(base.services.map((s) => [s.hostname, s]));
    const all = loadAssignmentByName(ctx, 'outbound|9080||reviews.default.svc.cluster.local', visible)!;
    expect(all.endpoints!.map((l) => [l.locality.zone, l.loadBalancingWeight])).toEqual([['a', 1], ['b', 4]]);
    expect(all.endpoints![1]!.lbEndpoints.map((e) => e.healthStatus)).toEqual(['HEALTHY', 'UNHEALTHY']);
    const v1 = loadAssignmentByName(ctx, 'outbound|9080|v1|reviews.default.svc.cluster.local', visible)!;
    expect(v1.endpoints!.flatMap((l) => l.lbEndpoints.map((e) => e.endpoint.address.socketAddress.address))).toEqual(['10.1.0.1']);
    expect(loadAssignmentByName(ctx, 'outbound|7070||echo.default.svc.cluster.local', visible)).toEqual({ clusterName: 'outbound|7070||echo.default.svc.cluster.local' });
    expect(loadAssignmentByName(ctx, 'outbound|1||nope', visible)).toBeUndefined();
    expect(loadAssignmentByName(ctx, 'outbound|9080|v9|reviews.default.svc.cluster.local', visible)).toBeUndefined();
    expect(edsClusterNames(ctx)).toContain('outbound|9080|v2|reviews.default.svc.cluster.local');
  });
});

describe('LDS', () => {
  it('sidecar: virtualOutbound, unbound HTTP and TCP listeners', () => {
    const ls = sidecarListeners(ctxFor(base).ctx);
    expect(ls.map((l) => l.name)).toEqual(['0.0.0.0_7070', '0.0.0.0_9080', '10.96.0.3_3306', 'virtualOutbound']);
    expect(ls.filter((l) => l.name !== 'virtualOutbound').every((l) => l.bindToPort === false)).toBe(true);
  });
  it('gRPC: listener named exactly as requested, unknown names omitted', () => {
    const out = generators[TypeUrl.Listener].generate(base, GRPC, ['echo:7070', 'echo.default:7070', 'nope:1', 'echo:1']);
    expect(out.map((r) => r.name)).toEqual(['echo.default:7070', 'echo:7070']);
  });
});

describe('routes', () => {
  it('domains follow the conventions', () => {
    expect(virtualHostDomains(reviews, 'default')).toEqual([
      'reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local.', 'reviews', 'reviews.default.svc', 'reviews.default', '10.96.0.1',
    ]);
    expect(virtualHostDomains(reviews, 'other')).toEqual([
      'reviews.default.svc.cluster.local', 'reviews.default.svc.cluster.local.', 'reviews.default', 'reviews.default.svc', '10.96.0.1',
    ]);
    expect(virtualHostDomains(reviews, 'default', 9080)).toContain('reviews:9080');
  });
  it('matches: uri kinds, sorted headers, catch-all detection', () => {
    expect(translateRouteMatch({ uri: { regex: 'a+' } })).toEqual({ safeRegex: { regex: 'a+' } });
    const m = translateRouteMatch({ uri: { exact: '/x' }, headers: { b: { prefix: 'p' }, a: { exact: 'e' } } });
    expect(m.headers!.map((h) => h.name)).toEqual(['a', 'b']);
    expect(isCatchAll(translateRouteMatch(undefined))).toBe(true);
  });
  it('VirtualService routes: names, weights, subsets, short hosts, source filtering', () => {
    const v = vs('r', 'default', {
      hosts: ['reviews'],
      http: [
        { name: 'a', match: [{ name: 'm1', uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }], route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 0 }] },
        { name: 'other', match: [{ sourceLabels: { app: 'nobody' } }], route: [{ destination: { host: 'reviews' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 50 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 50 }] },
      ],
    });
    const { ctx, warnings } = ctxFor(base);
    const routes = buildVirtualServiceRoutes(ctx, [v], { port: 9080, grpc: false });
    expect(routes.map((r) => r.name)).toEqual(['a.m1', 'a', undefined]);
    expect(routes[0]!.route!.cluster).toBe('outbound|9080|v1|reviews.default.svc.cluster.local');
    expect(routes[2]!.route!.weightedClusters!.clusters).toHaveLength(2);
    expect(routes[0]!.route!.timeout).toBe('0s');
    expect(warnings).toEqual([]);
  });
});

describe('generateAll', () => {
  it('returns every type in push order, deterministic; a router with no Gateway gets only clusters', () => {
    const a = generateAll(base, ctxFor(base).ctx.proxy);
    const types = [...new Set(a.resources.map((r) => r.typeUrl))];
    expect(types).toEqual([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration]);
    expect(JSON.stringify(generateAll(base, ctxFor(base).ctx.proxy))).toBe(JSON.stringify(a));
    const router = { ...ctxFor(base).ctx.proxy, kind: 'router' as const };
    // No Gateway selects it: no listeners or routes, but the outbound clusters (and their
    // endpoints) a Gateway's routes would need, as Istio gives a gateway.
    const r = generateAll(base, router);
    const routerTypes = new Set(r.resources.map((x) => x.typeUrl));
    expect(routerTypes.has(TypeUrl.Listener)).toBe(false);
    expect(routerTypes.has(TypeUrl.RouteConfiguration)).toBe(false);
    expect(r.resources.map((x) => x.name)).toContain('BlackHoleCluster');
    expect(r.resources.map((x) => x.name)).not.toContain('PassthroughCluster');
  });
});
