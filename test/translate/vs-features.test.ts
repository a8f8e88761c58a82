// VirtualService features no gRPC client exercises, routed through the simulator:
// CORS, mirrors, rewrites, redirects, direct responses, header operations, delegation,
// sourceLabels, and tcp/tls routes on sidecar listeners.
import { describe, expect, it } from 'vitest';
import { simulate } from '../support/simulator.js';
import { PRODUCTPAGE, bookinfoPush, resourcesFor } from './route-fixtures.js';

const vs = (name: string, spec: string, ns = 'default') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${ns} }
spec:
${spec}
`;
const reviews = (subset = '') => `outbound|9080|${subset}|reviews.default.svc.cluster.local`;

function sidecar(labels: Record<string, string>, ...yaml: string[]) {
  const out = resourcesFor(bookinfoPush(...yaml), PRODUCTPAGE, labels);
  return { ...out, call: (path: string, headers: Record<string, string> = {}, method = 'GET') => simulate(out.resources, { port: 9080, host: 'reviews', path, headers, method }) };
}
const PP = { app: 'productpage', version: 'v1' };

describe('VirtualService http features', () => {
  const p = sidecar(PP, vs('reviews', `  hosts: [reviews]
  http:
    - name: cors
      match: [{ uri: { prefix: /cors } }]
      corsPolicy:
        allowOrigins: [{ exact: https://a.example }, { regex: "https://.*\\\\.b\\\\.example" }]
        allowMethods: [GET, POST]
        allowHeaders: [x-a]
        exposeHeaders: [x-b]
        maxAge: 24h
        allowCredentials: true
      route: [{ destination: { host: reviews, subset: v1 } }]
    - name: mirror
      match: [{ uri: { prefix: /mirror } }]
      route: [{ destination: { host: reviews, subset: v1 } }]
      mirrors:
        - destination: { host: reviews, subset: v2 }
          percentage: { value: 25 }
        - destination: { host: reviews, subset: v3 }
    - name: rewrite
      match: [{ name: exact, uri: { exact: /old } }, { name: prefix, uri: { prefix: /legacy/ } }]
      rewrite: { uri: /new, authority: new.example }
      route: [{ destination: { host: reviews, subset: v1 } }]
    - name: regex-rewrite
      match: [{ uri: { prefix: /re/ } }]
      rewrite: { uriRegexRewrite: { match: "^/re/(.*)$", rewrite: "/\\\\1" } }
      route: [{ destination: { host: reviews, subset: v1 } }]
    - name: redirect
      match: [{ uri: { prefix: /moved }, method: { exact: GET } }]
      redirect: { uri: /here, authority: other.example, redirectCode: 302, scheme: https }
    - name: direct
      match: [{ uri: { exact: /health }, ignoreUriCase: true }]
      directResponse: { status: 503, body: { string: down } }
    - name: headers
      match: [{ queryParams: { debug: { exact: "1" } }, withoutHeaders: { x-skip: {} } }]
      headers:
        request: { set: { x-b: "2", x-a: "1" }, add: { x-c: "3" }, remove: [x-d] }
        response: { remove: [server] }
      route:
        - destination: { host: reviews, subset: v1 }
          weight: 90
          headers: { response: { set: { x-version: v1 } } }
        - destination: { host: reviews, subset: v2 }
          weight: 10
    - route: [{ destination: { host: reviews, subset: v3 } }]
`));

  it('has no warnings and valid resources', () => expect(p.warnings).toEqual([]));

  it('cors: per-route CorsPolicy, and the cors filter runs before fault and router', () => {
    const r = p.call('/cors/x');
    expect(r.route).toBe('cors');
    expect(r.cors).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
      allowOriginStringMatch: [{ exact: 'https://a.example' }, { safeRegex: { regex: 'https://.*\\.b\\.example' } }],
      allowMethods: 'GET,POST',
      allowHeaders: 'x-a',
      exposeHeaders: 'x-b',
      maxAge: '86400',
      allowCredentials: true,
      filterEnabled: { defaultValue: { numerator: 100, denominator: 'HUNDRED' } },
      forwardNotMatchingPreflights: true,
    });
    const l = p.resources.find((x) => x.name === '0.0.0.0_9080')!.body as { filterChains: { filters: { typedConfig: { httpFilters: { name: string }[] } }[] }[] };
    expect(l.filterChains[0]!.filters[0]!.typedConfig.httpFilters.map((f) => f.name)).toEqual(['envoy.filters.http.cors', 'envoy.filters.http.fault', 'envoy.filters.http.router']);
  });

  it('mirrors: request_mirror_policies with runtime fractions', () => {
    const r = p.call('/mirror');
    expect(r.mirrors).toEqual([reviews('v2'), reviews('v3')]);
    expect((r.raw!['route'] as { requestMirrorPolicies: unknown[] }).requestMirrorPolicies[0]).toEqual({
      cluster: reviews('v2'), runtimeFraction: { defaultValue: { numerator: 250000, denominator: 'MILLION' } }, traceSampled: false,
    });
  });

  it('rewrite: exact match → regex_rewrite of the whole path, prefix → prefix_rewrite; authority → host_rewrite_literal', () => {
    const exact = p.call('/old').raw!['route'] as Record<string, unknown>;
    expect(exact).toMatchObject({ regexRewrite: { pattern: { regex: '^/old$' }, substitution: '/new' }, hostRewriteLiteral: 'new.example' });
    expect(p.call('/old').route).toBe('rewrite.exact');
    const prefix = p.call('/legacy/a').raw!['route'] as Record<string, unknown>;
    expect(prefix).toMatchObject({ prefixRewrite: '/new', hostRewriteLiteral: 'new.example' });
    expect(prefix['regexRewrite']).toBeUndefined();
    expect(p.call('/re/a').raw!['route']).toMatchObject({ regexRewrite: { pattern: { regex: '^/re/(.*)$' }, substitution: '/\\1' } });
  });

  it('redirect and direct response', () => {
    expect(p.call('/moved/x').redirect).toEqual({ httpsRedirect: true, hostRedirect: 'other.example', pathRedirect: '/here', responseCode: 'FOUND' });
    // method does not match: falls through to the catch-all.
    expect(p.call('/moved/x', {}, 'POST').cluster).toBe(reviews('v3'));
    expect(p.call('/HEALTH').directResponse).toEqual({ status: 503, body: { inlineString: 'down' } });
  });

  it('header operations, query params and withoutHeaders', () => {
    const r = p.call('/x?debug=1');
    expect(r.route).toBe('headers');
    expect(r.weightedClusters).toEqual([{ name: reviews('v1'), weight: 90 }, { name: reviews('v2'), weight: 10 }]);
    expect(r.raw).toMatchObject({
      requestHeadersToAdd: [
        { header: { key: 'x-a', value: '1' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        { header: { key: 'x-b', value: '2' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        { header: { key: 'x-c', value: '3' }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' },
      ],
      requestHeadersToRemove: ['x-d'],
      responseHeadersToRemove: ['server'],
      route: { weightedClusters: { clusters: [{ name: reviews('v1'), weight: 90, responseHeadersToAdd: [{ header: { key: 'x-version', value: 'v1' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }] }, { name: reviews('v2'), weight: 10 }] } },
    });
    expect(p.call('/x?debug=1', { 'x-skip': 'yes' }).cluster).toBe(reviews('v3'));
    expect(p.call('/x?debug=2').cluster).toBe(reviews('v3'));
  });
});

describe('delegation, merging and per-proxy matches', () => {
  const root = vs('reviews', `  hosts: [reviews]
  http:
    - name: root
      match: [{ uri: { prefix: /api }, headers: { x-team: { exact: a } } }]
      timeout: 3s
      delegate: { name: reviews-api }
    - match: [{ sourceLabels: { app: productpage } }]
      route: [{ destination: { host: reviews, subset: v2 } }]
`);
  const leaf = vs('reviews-api', `  http:
    - name: v1
      match: [{ uri: { prefix: /api/v1 } }]
      route: [{ destination: { host: reviews, subset: v1 } }]
    - name: bad
      match: [{ uri: { prefix: /other } }]
      route: [{ destination: { host: reviews, subset: v3 } }]
    - name: rest
      route:
        - destination: { host: reviews, subset: v1 }
          weight: 50
        - destination: { host: reviews, subset: v3 }
          weight: 50
`);
  const second = vs('reviews-2', `  hosts: [reviews.default.svc.cluster.local]
  http:
    - route: [{ destination: { host: reviews, subset: v3 } }]
`);

  it('merges delegate matches into the root, drops conflicting ones, inherits root fields', () => {
    const p = sidecar(PP, root, leaf, second);
    const api = p.call('/api/v1/x', { 'x-team': 'a' });
    expect(api).toMatchObject({ route: 'root-v1', cluster: reviews('v1') });
    expect((api.raw!['route'] as { timeout: string }).timeout).toBe('3s');
    expect(p.call('/api/v2', { 'x-team': 'a' })).toMatchObject({ route: 'root-rest', weightedClusters: [{ name: reviews('v1'), weight: 50 }, { name: reviews('v3'), weight: 50 }] });
    // No x-team header: the sourceLabels route (this proxy is productpage) catches it.
    expect(p.call('/api/v1/x').cluster).toBe(reviews('v2'));
    expect(p.warnings.map((w) => `${w.object} ${w.field}`)).toEqual(expect.arrayContaining(['VirtualService default/reviews-api spec.http[1]']));
  });

  it('sourceLabels that do not match the proxy are left out; later VirtualServices merge after', () => {
    const p = sidecar({ app: 'ratings' }, root, leaf, second);
    expect(p.call('/x').cluster).toBe(reviews('v3'));
  });
});

describe('tcp and tls routes on sidecar listeners', () => {
  const svc = (name: string, ip: string, port: number, portName: string) => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec:
  clusterIP: ${ip}
  ports: [{ name: ${portName}, port: ${port} }]
  selector: { app: ${name} }
`;
  it('tcp: chains per route, destinationSubnets as prefix ranges, weighted clusters', () => {
    const p = resourcesFor(bookinfoPush(svc('db', '10.96.5.1', 3306, 'tcp'), svc('db2', '10.96.5.2', 3306, 'tcp'), vs('db', `  hosts: [db]
  tcp:
    - match: [{ port: 3306, destinationSubnets: [10.96.5.0/24] }]
      route: [{ destination: { host: db2 } }]
    - route:
        - destination: { host: db }
          weight: 70
        - destination: { host: db2 }
          weight: 30
`)), PRODUCTPAGE, PP);
    expect(p.warnings).toEqual([]);
    const hit = simulate(p.resources, { port: 3306, destinationIp: '10.96.5.1' });
    expect(hit).toMatchObject({ listener: '10.96.5.1_3306', kind: 'tcp', cluster: 'outbound|3306||db2.default.svc.cluster.local' });
    const other = simulate(p.resources, { port: 3306, destinationIp: '10.96.6.1' });
    // No listener for that IP: virtualOutbound passes it through.
    expect(other).toMatchObject({ listener: 'virtualOutbound', cluster: 'PassthroughCluster' });
  });

  it('tls: SNI chains with tls_inspector, the service cluster as fallback', () => {
    const p = resourcesFor(bookinfoPush(svc('edge', '10.96.7.1', 443, 'tls'), svc('api', '10.96.7.2', 443, 'tls'), vs('edge', `  hosts: [edge]
  tls:
    - match: [{ sniHosts: [api.example.com, "*.api.example.com"] }]
      route: [{ destination: { host: api } }]
`)), PRODUCTPAGE, PP);
    const l = p.resources.find((r) => r.name === '10.96.7.1_443')!.body as { listenerFilters?: { name: string }[] };
    expect(l.listenerFilters?.map((f) => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    const q = (sni: string) => simulate(p.resources, { port: 443, destinationIp: '10.96.7.1', sni, tls: true });
    expect(q('api.example.com').cluster).toBe('outbound|443||api.default.svc.cluster.local');
    expect(q('x.api.example.com').cluster).toBe('outbound|443||api.default.svc.cluster.local');
    expect(q('edge.example.com').cluster).toBe('outbound|443||edge.default.svc.cluster.local');
  });
});
