import { describe, expect, it } from 'vitest';
import { MemoryConfigStore } from '../../src/model/config-store.js';
import { buildPushContext, updateEndpoints } from '../../src/push/build-push-context.js';
import { DEFAULT_MESH_CONFIG } from '../../src/push/push-context.js';
import { obj, pod } from '../model/objects.js';

const HOST = 'reviews.default.svc.cluster.local';
const T = (n: number) => `2024-01-0${n}T00:00:00.000Z`;

describe('buildPushContext', () => {
  it('indexes VirtualServices by resolved host in Istio merge order, skipping gateway-only ones', () => {
    const store = new MemoryConfigStore();
    store.replace('f', [
      obj('VirtualService', 'b-new', { spec: { hosts: ['reviews'] } }, {}, T(3)),
      obj('VirtualService', 'a-old', { spec: { hosts: ['reviews.default.svc.cluster.local', 'reviews'] } }, {}, T(1)),
      obj('VirtualService', 'c-same-time', { spec: { hosts: ['reviews'], gateways: ['mesh', 'gw'] } }, { namespace: 'default' }, T(1)),
      obj('VirtualService', 'gw-only', { spec: { hosts: ['reviews'], gateways: ['istio-system/gw'] } }, {}, T(0)),
      obj('VirtualService', 'other-ns', { spec: { hosts: ['reviews'] } }, { namespace: 'x' }, T(2)),
    ]);
    const push = buildPushContext(store, DEFAULT_MESH_CONFIG, 'v1');
    expect(push.virtualServicesByHost.get(HOST)?.map((v) => v.metadata.name)).toEqual(['a-old', 'c-same-time', 'b-new']);
    expect(push.virtualServicesByHost.get('reviews.x.svc.cluster.local')?.map((v) => v.metadata.name)).toEqual(['other-ns']);
    expect(push.version).toBe('v1');
    expect(Object.isFrozen(push)).toBe(true);
  });

  it('merges DestinationRules for one host as Istio: oldest policy wins, subsets unioned, first subset kept', () => {
    const store = new MemoryConfigStore();
    store.replace('f', [
      obj('DestinationRule', 'newer', {
        spec: { host: 'reviews', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } }, subsets: [{ name: 'v1', labels: { version: 'other' } }, { name: 'v3', labels: { version: 'v3' } }] },
      }, {}, T(2)),
      obj('DestinationRule', 'older', {
        spec: { host: HOST, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
      }, {}, T(1)),
      obj('DestinationRule', 'no-policy', { spec: { host: 'ratings' } }, {}, T(1)),
      obj('DestinationRule', 'policy-later', { spec: { host: 'ratings', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } }, {}, T(2)),
    ]);
    const push = buildPushContext(store, DEFAULT_MESH_CONFIG, 'v1');
    const dr = push.destinationRuleByHost.get(HOST);
    expect(dr?.metadata.name).toBe('older');
    expect(dr?.spec.trafficPolicy).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' } });
    expect(dr?.spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }, { name: 'v3', labels: { version: 'v3' } }]);
    // The stored rule is not modified by the merge.
    expect(store.get('DestinationRule', 'default', 'older')?.spec.subsets).toHaveLength(1);
    expect(push.destinationRuleByHost.get('ratings.default.svc.cluster.local')?.spec.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
  });

  it('carries services and endpoints; updateEndpoints reports changed hosts and shares the rest', () => {
    const store = new MemoryConfigStore();
    const svc = (name: string) => obj('Service', name, { spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] } });
    store.replace('svc', [svc('reviews'), svc('ratings')]);
    store.replace('pods', [pod('r1', { app: 'reviews' }, '10.0.0.1'), pod('ra1', { app: 'ratings' }, '10.0.0.9')]);
    const push = buildPushContext(store, DEFAULT_MESH_CONFIG, 'v1');
    expect(push.services.map((s) => s.hostname)).toEqual(['ratings.default.svc.cluster.local', HOST]);
    expect(push.serviceByHost.get(HOST)?.name).toBe('reviews');
    expect(push.endpointsByHost.get(HOST)?.map((e) => e.address)).toEqual(['10.0.0.1']);

    store.replace('pods', [pod('r1', { app: 'reviews' }, '10.0.0.1'), pod('r2', { app: 'reviews' }, '10.0.0.2'), pod('ra1', { app: 'ratings' }, '10.0.0.9')]);
    const { push: next, changedHosts } = updateEndpoints(push, store, 'v2');
    expect([...changedHosts]).toEqual([HOST]);
    expect(next.version).toBe('v2');
    expect(next.endpointsByHost.get(HOST)?.map((e) => e.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(next.virtualServicesByHost).toBe(push.virtualServicesByHost);
    expect(next.services).toBe(push.services);

    const again = updateEndpoints(next, store, 'v3');
    expect(again.changedHosts.size).toBe(0);
    expect(again.push.endpointsByHost).toBe(next.endpointsByHost);
  });
});
