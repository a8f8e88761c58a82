// Istio's Bookinfo samples (examples/bookinfo-samples, as Istio ships them) load and route
// as the Istio docs describe, checked with the route-table simulator.
import { describe, expect, it } from 'vitest';
import { simulate } from '../support/simulator.js';
import { INGRESS, PRODUCTPAGE, bookinfoPush, resourcesFor } from './route-fixtures.js';

const S = '../bookinfo-samples/';
const reviews = (subset: string) => `outbound|9080|${subset}|reviews.default.svc.cluster.local`;
const ratings = (subset: string) => `outbound|9080|${subset}|ratings.default.svc.cluster.local`;
const JASON = { 'end-user': 'jason' };

function sidecar(...files: string[]) {
  const out = resourcesFor(bookinfoPush(...files.map((f) => S + f)), PRODUCTPAGE, { app: 'productpage', version: 'v1' });
  return { ...out, call: (host: string, headers: Record<string, string> = {}) => simulate(out.resources, { port: 9080, host: `${host}:9080`, path: '/', headers }) };
}

describe('Bookinfo samples', () => {
  it('virtual-service-all-v1: every service to v1', () => {
    const p = sidecar('destination-rule-all.yaml', 'virtual-service-all-v1.yaml');
    expect(p.warnings).toEqual([]);
    for (const svc of ['productpage', 'reviews', 'ratings', 'details']) {
      expect(p.call(svc).cluster).toBe(`outbound|9080|v1|${svc}.default.svc.cluster.local`);
    }
    expect(p.call('reviews', JASON).cluster).toBe(reviews('v1'));
  });

  it('virtual-service-reviews-test-v2: jason to v2, everyone else to v1', () => {
    const p = sidecar('destination-rule-all.yaml', 'virtual-service-reviews-test-v2.yaml');
    expect(p.call('reviews', JASON)).toMatchObject({ listener: '0.0.0.0_9080', routeConfig: '9080', virtualHost: 'reviews.default.svc.cluster.local:9080', cluster: reviews('v2') });
    expect(p.call('reviews.default.svc.cluster.local').cluster).toBe(reviews('v1'));
    expect(p.call('reviews', { 'end-user': 'mary' }).cluster).toBe(reviews('v1'));
  });

  it('virtual-service-reviews-50-v3: half to v1, half to v3', () => {
    const p = sidecar('virtual-service-reviews-50-v3.yaml');
    expect(p.call('reviews').weightedClusters).toEqual([{ name: reviews('v1'), weight: 50 }, { name: reviews('v3'), weight: 50 }]);
  });

  it('virtual-service-reviews-v3: everything to v3', () => {
    expect(sidecar('virtual-service-reviews-v3.yaml').call('reviews', JASON).cluster).toBe(reviews('v3'));
  });

  it('virtual-service-ratings-test-delay: jason waits 7 s on ratings, others do not', () => {
    const p = sidecar('virtual-service-ratings-test-delay.yaml');
    const jason = p.call('ratings', JASON);
    expect(jason.cluster).toBe(ratings('v1'));
    expect(jason.fault).toMatchObject({ delay: { fixedDelay: '7s', percentage: { numerator: 1000000, denominator: 'MILLION' } } });
    expect(p.call('ratings').fault).toBeUndefined();
  });

  it('virtual-service-ratings-test-abort: jason gets HTTP 500 from ratings, others do not', () => {
    const p = sidecar('virtual-service-ratings-test-abort.yaml');
    expect(p.call('ratings', JASON).fault).toMatchObject({ abort: { httpStatus: 500, percentage: { numerator: 1000000 } } });
    expect(p.call('ratings')).toMatchObject({ cluster: ratings('v1') });
    expect(p.call('ratings').fault).toBeUndefined();
  });

  it('destination-rule-all: one cluster per subset (subsets without pods are empty, not missing)', () => {
    const p = sidecar('destination-rule-all.yaml');
    const names = p.resources.filter((r) => r.typeUrl.endsWith('Cluster')).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining([reviews('v1'), reviews('v2'), reviews('v3'), ratings('v2-mysql-vm'), 'outbound|9080|v2|details.default.svc.cluster.local']));
  });

  it('bookinfo-gateway: the ingress gateway serves /productpage and friends on 8080, 404 otherwise', () => {
    const gw = resourcesFor(bookinfoPush(S + 'bookinfo-gateway.yaml'), INGRESS, { istio: 'ingressgateway' });
    expect(gw.warnings).toEqual([]);
    const call = (path: string) => simulate(gw.resources, { port: 8080, host: 'bookinfo.example.com', path });
    const pp = 'outbound|9080||productpage.default.svc.cluster.local';
    for (const path of ['/productpage', '/static/x.css', '/login', '/logout', '/api/v1/products/1']) {
      expect(call(path), path).toMatchObject({ listener: '0.0.0.0_8080', routeConfig: 'http.8080', virtualHost: '*:8080', cluster: pp });
    }
    expect(call('/productpage/x').error).toMatch(/404/);
    expect(call('/').error).toMatch(/404/);
    // A sidecar does not get the gateway's VirtualService, and a gateway without the label gets nothing.
    expect(resourcesFor(bookinfoPush(S + 'bookinfo-gateway.yaml'), INGRESS, { istio: 'egress' }).resources.filter((r) => r.typeUrl.endsWith('Listener'))).toEqual([]);
    expect(sidecar('bookinfo-gateway.yaml').call('productpage').cluster).toBe(pp);
  });
});
