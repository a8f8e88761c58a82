// affectsProxy: which changes can reach which proxy (Istio's SidecarScope.DependsOnConfig).
// A wrong false leaves a proxy stale, so beside the skips we assert every conservative true.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ConfigKey, Kind } from '../../src/model/config.js';
import { DEFAULT_MESH_CONFIG } from '../../src/push/push-context.js';
import { parseProxy } from '../../src/translate/proxy.js';
import { affectsProxy } from '../../src/translate/scope.js';
import { buildPush } from '../golden/harness.js';

const svc = (name: string, ns: string, extra = ''): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}${extra}}
spec: {clusterIP: 10.96.${ns.length}.${name.length}, ports: [{name: http, port: 9080}], selector: {app: ${name}}}`;

const BASE = [
  svc('reviews', 'default'),
  svc('frontend', 'restricted'),
  svc('istiod', 'istio-system'),
  svc('private', 'other', ', annotations: {networking.istio.io/exportTo: "."}'),
  `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: restricted}
spec: {egress: [{hosts: ["./*", "istio-system/*"]}]}`,
  `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}`,
  `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: private, namespace: other}
spec: {hosts: [private], exportTo: ["."], http: [{route: [{destination: {host: private}}]}]}`,
  `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: ext}
spec: {hosts: [api.example.com], ports: [{number: 443, name: tls, protocol: TLS}], resolution: DNS}`,
];

function pushOf(docs: readonly string[]) {
  const objects = docs.flatMap((d) => parseAllDocuments(d).map((x) => x.toJS() as unknown));
  return buildPush(objects, { ...DEFAULT_MESH_CONFIG });
}

const push = pushOf(BASE);
const sidecar = (ns: string) => parseProxy({ id: `sidecar~10.1.0.9~p.${ns}~${ns}.svc.cluster.local`, metadata: { LABELS: { app: 'p' } } });
const restricted = sidecar('restricted');
const open = sidecar('default');
const grpcRestricted = parseProxy({ id: 'c', metadata: { GENERATOR: 'grpc', NAMESPACE: 'restricted' } });
const router = parseProxy({ id: 'router~10.1.0.1~gw.istio-system~istio-system.svc.cluster.local' });
const key = (kind: Kind, namespace: string, name: string): ConfigKey => ({ kind, namespace, name });

describe('affectsProxy', () => {
  it('services: only proxies that see the host (or could have, or are selected by it)', () => {
    const reviews = [key('Service', 'default', 'reviews')];
    expect(affectsProxy(push, restricted, reviews)).toBe(false);
    expect(affectsProxy(push, grpcRestricted, reviews)).toBe(false);
    expect(affectsProxy(push, open, reviews)).toBe(true);
    expect(affectsProxy(push, restricted, [key('Service', 'istio-system', 'istiod')])).toBe(true);
    // Same namespace: visible, and may select the pod (inbound).
    expect(affectsProxy(push, restricted, [key('Service', 'restricted', 'new-one')])).toBe(true);
    // Deleted (absent from the push): its hostname is still known.
    expect(affectsProxy(push, restricted, [key('Service', 'default', 'gone')])).toBe(false);
    expect(affectsProxy(push, restricted, [key('Service', 'istio-system', 'gone')])).toBe(true);
    expect(affectsProxy(push, open, [key('Service', 'default', 'gone')])).toBe(true);
  });

  it('service entries: by namespace when their former hosts are unknown', () => {
    const se = [key('ServiceEntry', 'ext', 'api')];
    expect(affectsProxy(push, restricted, se)).toBe(false);
    expect(affectsProxy(push, open, se)).toBe(true);
  });

  it('virtual services: imported ones, or any a Sidecar could import from their namespace', () => {
    expect(affectsProxy(push, restricted, [key('VirtualService', 'default', 'reviews')])).toBe(false);
    expect(affectsProxy(push, open, [key('VirtualService', 'default', 'reviews')])).toBe(true);
    expect(affectsProxy(push, restricted, [key('VirtualService', 'restricted', 'deleted')])).toBe(true);
    // Without the previous push, exportTo "." elsewhere is not trusted to have been so.
    expect(affectsProxy(push, open, [key('VirtualService', 'other', 'private')])).toBe(true);
  });

  it('with the previous push, answers are exact for what left the scope', () => {
    const vs = [key('VirtualService', 'other', 'private')];
    expect(affectsProxy(push, open, vs, push)).toBe(false);
    // reviews' VirtualService moved to a host the open proxy never sees: still true,
    // because before the change it was imported.
    const moved = pushOf([...BASE.slice(0, 5), BASE[5]!.replace('hosts: [reviews]', 'hosts: [nowhere.invalid]'), ...BASE.slice(6)]);
    expect(affectsProxy(moved, open, [key('VirtualService', 'default', 'reviews')], push)).toBe(true);
    const hidden = pushOf([svc('reviews', 'default', ', annotations: {networking.istio.io/exportTo: "."}'), ...BASE.slice(1)]);
    expect(affectsProxy(hidden, open, [key('Service', 'default', 'reviews')], push)).toBe(true);
    expect(affectsProxy(hidden, sidecar('elsewhere'), [key('Service', 'default', 'reviews')], push)).toBe(true);
  });

  it('destination rules: the proxy, visible services and root namespaces only', () => {
    expect(affectsProxy(push, restricted, [key('DestinationRule', 'default', 'reviews')])).toBe(false);
    expect(affectsProxy(push, restricted, [key('DestinationRule', 'restricted', 'x')])).toBe(true);
    expect(affectsProxy(push, restricted, [key('DestinationRule', 'istio-system', 'mesh-default')])).toBe(true);
    expect(affectsProxy(push, open, [key('DestinationRule', 'default', 'reviews')])).toBe(true);
  });

  it('sidecars: their namespace, or everyone for the root namespace', () => {
    expect(affectsProxy(push, restricted, [key('Sidecar', 'restricted', 'default')])).toBe(true);
    expect(affectsProxy(push, open, [key('Sidecar', 'restricted', 'default')])).toBe(false);
    expect(affectsProxy(push, open, [key('Sidecar', 'istio-system', 'default')])).toBe(true);
    expect(affectsProxy(push, grpcRestricted, [key('Sidecar', 'restricted', 'default')])).toBe(true);
  });

  it('conservative elsewhere: endpoints, pods, unknown kinds, empty batches, routers', () => {
    for (const k of ['Pod', 'Endpoints', 'EndpointSlice', 'WorkloadEntry'] as const) {
      expect(affectsProxy(push, restricted, [key(k, 'default', 'x')]), k).toBe(true);
    }
    expect(affectsProxy(push, restricted, [])).toBe(true);
    expect(affectsProxy(push, router, [key('Service', 'default', 'reviews')])).toBe(true);
    expect(affectsProxy(push, restricted, [key('Gateway', 'istio-system', 'gw')])).toBe(false);
    expect(affectsProxy(push, router, [key('Gateway', 'istio-system', 'gw')])).toBe(true);
    // One relevant key in a batch is enough.
    expect(affectsProxy(push, restricted, [key('Service', 'default', 'reviews'), key('Service', 'istio-system', 'istiod')])).toBe(true);
  });

  it('root namespace follows the mesh config', () => {
    const moved = buildPush([], { ...DEFAULT_MESH_CONFIG, rootNamespace: 'mesh-root' });
    expect(affectsProxy(moved, open, [key('Sidecar', 'mesh-root', 'default')])).toBe(true);
    expect(affectsProxy(moved, open, [key('Sidecar', 'istio-system', 'default')])).toBe(false);
    expect(affectsProxy(moved, open, [key('Sidecar', 'istio-system', 'default')], push)).toBe(true);
  });
});
