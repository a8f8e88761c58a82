// Gateways (router proxies): servers → listeners and route configs, checked with the
// simulator: plain HTTP with httpsRedirect, HTTPS SIMPLE/MUTUAL by SNI, PASSTHROUGH to
// tls routes, TCP, host namespaces, selection by labels, and match.gateways.
import { describe, expect, it } from 'vitest';
import { simulate } from '../support/simulator.js';
import { INGRESS, bookinfoPush, resourcesFor } from './route-fixtures.js';

const gateway = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: edge, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 80, name: http, protocol: HTTP }
      hosts: ["*/bookinfo.example.com", "other/*.other.example"]
      tls: { httpsRedirect: true }
    - port: { number: 8080, name: http-plain, protocol: HTTP }
      hosts: ["default/*"]
    - port: { number: 443, name: https-a, protocol: HTTPS }
      hosts: [bookinfo.example.com]
      tls: { mode: SIMPLE, serverCertificate: /etc/certs/a.pem, privateKey: /etc/certs/a.key }
    - port: { number: 443, name: https-b, protocol: HTTPS }
      hosts: [mtls.example.com]
      tls: { mode: MUTUAL, serverCertificate: /etc/certs/b.pem, privateKey: /etc/certs/b.key, caCertificates: /etc/certs/ca.pem }
    - port: { number: 443, name: tls-pass, protocol: TLS }
      hosts: [pass.example.com]
      tls: { mode: PASSTHROUGH }
    - port: { number: 31400, name: tcp, protocol: TCP }
      hosts: ["*"]
    - port: { number: 9443, name: sds, protocol: HTTPS }
      hosts: ["*"]
      tls: { mode: SIMPLE, credentialName: bookinfo-cert }
`;
const vss = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: bookinfo, namespace: default }
spec:
  hosts: [bookinfo.example.com, mtls.example.com]
  gateways: [istio-system/edge, mesh]
  http:
    - match: [{ uri: { prefix: /reviews }, gateways: [istio-system/edge] }]
      route: [{ destination: { host: reviews, subset: v2 } }]
    - route: [{ destination: { host: productpage } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: pass, namespace: default }
spec:
  hosts: [pass.example.com]
  gateways: [istio-system/edge]
  tls:
    - match: [{ sniHosts: [pass.example.com] }]
      route: [{ destination: { host: details } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: tcp, namespace: default }
spec:
  hosts: ["*"]
  gateways: [istio-system/edge]
  tcp:
    - match: [{ port: 31400 }]
      route: [{ destination: { host: ratings } }]
`;
const PP = 'outbound|9080||productpage.default.svc.cluster.local';

describe('Gateway', () => {
  const gw = resourcesFor(bookinfoPush(gateway, vss), INGRESS, { istio: 'ingressgateway' });
  const http = (port: number, host: string, path = '/', tls = false, sni?: string) => simulate(gw.resources, { port, host, path, tls, ...(sni ? { sni } : {}) });

  it('lists listeners and route configs by Istio names, warns about SDS certificates once', () => {
    const names = (suffix: string) => gw.resources.filter((r) => r.typeUrl.endsWith(suffix)).map((r) => r.name);
    expect(names('Listener')).toEqual(['0.0.0.0_31400', '0.0.0.0_443', '0.0.0.0_80', '0.0.0.0_8080']);
    expect(names('RouteConfiguration')).toEqual(['http.80', 'http.8080', 'https.443.https-a.edge.istio-system', 'https.443.https-b.edge.istio-system']);
    expect(gw.warnings).toEqual([expect.objectContaining({ object: 'Gateway istio-system/edge', field: 'spec.servers[6].tls.credentialName' })]);
    expect(names('Cluster')).toContain(PP);
  });

  it('plain HTTP: httpsRedirect requires TLS on every server host; a namespace-scoped host only takes its namespace', () => {
    expect(http(80, 'bookinfo.example.com')).toMatchObject({ routeConfig: 'http.80', virtualHost: 'bookinfo.example.com:80', redirect: { httpsRedirect: true } });
    expect(http(80, 'x.other.example')).toMatchObject({ virtualHost: '*.other.example:80', redirect: { httpsRedirect: true } });
    // default/* on 8080 exposes the default-namespace hosts, with the gateway-only match.
    expect(http(8080, 'bookinfo.example.com:8080', '/reviews/1')).toMatchObject({ virtualHost: 'bookinfo.example.com:8080', cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local' });
    expect(http(8080, 'unknown.example').error).toMatch(/no virtual host/);
  });

  it('HTTPS: SNI picks the server chain (certificates, client certs for MUTUAL) and its route config', () => {
    const a = http(443, 'bookinfo.example.com', '/', true, 'bookinfo.example.com');
    expect(a).toMatchObject({ listener: '0.0.0.0_443', routeConfig: 'https.443.https-a.edge.istio-system', cluster: PP });
    const l = gw.resources.find((r) => r.name === '0.0.0.0_443')!.body as { listenerFilters: { name: string }[]; filterChains: { filterChainMatch: { serverNames: string[] }; transportSocket?: { typedConfig: Record<string, unknown> } }[] };
    expect(l.listenerFilters.map((f) => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    const mtls = l.filterChains.find((c) => c.filterChainMatch.serverNames.includes('mtls.example.com'))!;
    expect(mtls.transportSocket!.typedConfig).toMatchObject({
      commonTlsContext: { tlsCertificates: [{ certificateChain: { filename: '/etc/certs/b.pem' }, privateKey: { filename: '/etc/certs/b.key' } }], validationContext: { trustedCa: { filename: '/etc/certs/ca.pem' } } },
      requireClientCertificate: true,
    });
    expect(http(443, 'mtls.example.com', '/reviews', true, 'mtls.example.com')).toMatchObject({ routeConfig: 'https.443.https-b.edge.istio-system', cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local' });
  });

  it('PASSTHROUGH: the tls route for the SNI, straight to tcp_proxy; TCP: the tcp route', () => {
    expect(simulate(gw.resources, { port: 443, sni: 'pass.example.com', tls: true })).toMatchObject({ kind: 'tcp', cluster: 'outbound|9080||details.default.svc.cluster.local' });
    expect(simulate(gw.resources, { port: 443, sni: 'nobody.example.com', tls: true }).error).toMatch(/no filter chain/);
    expect(simulate(gw.resources, { port: 31400 })).toMatchObject({ listener: '0.0.0.0_31400', kind: 'tcp', cluster: 'outbound|9080||ratings.default.svc.cluster.local' });
  });

  it('sidecars get the VirtualService too (it lists mesh), without the gateway-only match', () => {
    const sc = resourcesFor(bookinfoPush(gateway, vss), 'sidecar~127.0.0.10~productpage-v1.default~default.svc.cluster.local');
    expect(sc.resources.filter((r) => r.typeUrl.endsWith('RouteConfiguration')).map((r) => r.name)).toEqual(['9080']);
  });
});
