// KubeSource against the fake API server: every watched kind reaches the store on list and
// on watch (create, update, delete), invalid objects keep their last good version, and the
// failure modes a real cluster has (missing CRD, RBAC, no EndpointSlice API) are reported
// clearly while the rest keeps working.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryConfigStore } from '../../../src/model/config-store.js';
import type { ConfigEvent, Kind } from '../../../src/model/config.js';
import { isKnownKind } from '../../../src/model/schemas/index.js';
import { KubeSource, type KubeSourceOptions } from '../../../src/sources/kube/kube-source.js';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigYaml, standardResources, type FakeApiServer } from '../../support/fake-apiserver.js';
import { FAST, captureLogger, kubeConfigFor, sampleObjects, startFake, waitFor } from './helpers.js';

let fake: FakeApiServer | undefined;
let source: KubeSource | undefined;

afterEach(async () => {
  await source?.close();
  await fake?.stop();
  source = undefined;
  fake = undefined;
});

function setup(f: FakeApiServer, extra: Partial<KubeSourceOptions> = {}) {
  const store = new MemoryConfigStore();
  const events: ConfigEvent[] = [];
  store.subscribe((es) => events.push(...es));
  const log = captureLogger();
  source = new KubeSource({ kubeConfig: kubeConfigFor(f), store, logger: log.logger, ...FAST, ...extra });
  return { store, events, log, source };
}

/** Kinds of the samples that the model reads (others are watched and skipped). */
const modelled = (objs: Record<string, any>[]) => objs.filter((o) => isKnownKind(o.kind));

describe('KubeSource', () => {
  it('lists every kind into the store with kube owners and API-path origins', async () => {
    fake = await startFake();
    for (const o of sampleObjects()) fake.apply(o);
    const { store, source } = setup(fake);
    await source.start();
    await source.synced;
    for (const o of modelled(sampleObjects())) {
      const got = store.get(o.kind as Kind, 'default', o.metadata.name);
      expect(got, o.kind).toBeDefined();
      expect(got!.origin.source).toBe('kubernetes');
      expect(got!.metadata.resourceVersion).toMatch(/^\d+$/);
    }
    expect(store.get('VirtualService', 'default', 'reviews')!.origin.location).toBe('/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews');
    expect(store.get('Pod', 'default', 'reviews-v1')!.origin.location).toBe('/api/v1/namespaces/default/pods/reviews-v1');
    expect(store.ownerNames()).toContain('kube:VirtualService/default/reviews');
    expect(store.ownerNames()).toContain('kube:EndpointSlice/default/reviews-abc');
    // Paged: pageSize 2 and more than 2 of nothing here, but the limit is always sent.
    expect(fake.requests.some((r) => r.startsWith('GET /api/v1/pods?limit=2'))).toBe(true);
  });

  it('follows create, update and delete of each kind through the watch', async () => {
    fake = await startFake();
    const { store, source, events } = setup(fake);
    await source.start();
    await source.synced;
    for (const o of sampleObjects()) fake.apply(o);
    for (const o of modelled(sampleObjects())) {
      await waitFor(() => store.get(o.kind as Kind, 'default', o.metadata.name) !== undefined, `${o.kind} added`);
    }
    const added = events.length;
    for (const o of modelled(sampleObjects())) {
      fake.apply({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, touched: 'yes' } } });
      await waitFor(() => store.get(o.kind as Kind, 'default', o.metadata.name)?.metadata.labels['touched'] === 'yes', `${o.kind} updated`);
    }
    expect(events.slice(added).every((e) => e.type === 'update')).toBe(true);
    for (const o of sampleObjects()) fake.delete(o.apiVersion, o.kind, 'default', o.metadata.name);
    for (const o of modelled(sampleObjects())) {
      await waitFor(() => store.get(o.kind as Kind, 'default', o.metadata.name) === undefined, `${o.kind} deleted`);
    }
    expect(store.ownerNames()).toEqual([]);
  });

  it('an invalid object logs one line naming kind, object and field, and the last good version stays', async () => {
    fake = await startFake();
    const vs = sampleObjects().find((o) => o.kind === 'VirtualService')!;
    fake.apply(vs);
    const { store, source, log } = setup(fake);
    await source.start();
    await source.synced;
    const bad = structuredClone(vs);
    bad.spec.http[0].route[0].weight = 'heavy';
    fake.apply(bad);
    await waitFor(() => log.errors().length > 0, 'the error line');
    const lines = log.errors();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'VirtualService', object: 'default/reviews', field: 'spec.http[0].route[0].weight' });
    expect(lines[0]!.msg).toContain('/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews VirtualService default/reviews: spec.http[0].route[0].weight');
    expect(store.get('VirtualService', 'default', 'reviews')!.spec.http?.[0]?.route?.[0]?.weight).toBeUndefined();
    expect(source.errors()).toHaveLength(1);
    // Fixed: applied, and the problem is gone. Deleted: gone from the store.
    fake.apply({ ...vs, spec: { ...vs.spec, hosts: ['reviews', 'reviews.default.svc.cluster.local'] } });
    await waitFor(() => store.get('VirtualService', 'default', 'reviews')?.spec.hosts?.length === 2, 'fixed version');
    expect(source.errors()).toEqual([]);
    fake.delete(vs.apiVersion, 'VirtualService', 'default', 'reviews');
    await waitFor(() => store.get('VirtualService', 'default', 'reviews') === undefined, 'deleted');
  });

  it('a CRD that is not installed is reported once; the rest works; installing it later is picked up', async () => {
    const all = standardResources();
    fake = await startFake(all.filter((r) => r.kind !== 'VirtualService'));
    fake.apply(sampleObjects().find((o) => o.kind === 'DestinationRule')!);
    const { store, source, log } = setup(fake);
    await source.start();
    await source.synced;
    expect(store.get('DestinationRule', 'default', 'reviews')).toBeDefined();
    // Several rediscovery rounds (every 100 ms here) must not repeat the warning.
    await new Promise((r) => setTimeout(r, 350));
    const warned = log.warnings().filter((l) => l.msg.includes('virtualservices'));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.msg).toContain('networking.istio.io/v1 virtualservices is not served by the API server');
    fake.addResource(all.find((r) => r.kind === 'VirtualService')!);
    fake.apply(sampleObjects().find((o) => o.kind === 'VirtualService')!);
    await waitFor(() => store.get('VirtualService', 'default', 'reviews') !== undefined, 'VirtualService after the CRD is installed');
  });

  it('prefers the newest networking version served (v1beta1 when v1 is not)', async () => {
    fake = await startFake(standardResources({ networkingVersions: ['v1beta1', 'v1alpha3'] }));
    fake.apply({ ...sampleObjects().find((o) => o.kind === 'DestinationRule')!, apiVersion: 'networking.istio.io/v1alpha3' });
    const { store, source } = setup(fake);
    await source.start();
    await source.synced;
    const dr = store.get('DestinationRule', 'default', 'reviews')!;
    expect(dr.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(fake.requests.some((r) => r.startsWith('GET /apis/networking.istio.io/v1beta1/destinationrules?'))).toBe(true);
  });

  it('403 logs a clear error naming the verb and resource, and holds readiness until allowed', async () => {
    fake = await startFake();
    fake.forbid('virtualservices');
    const { source, log } = setup(fake);
    await source.start();
    await waitFor(() => log.errors().length > 0, 'the forbidden line');
    expect(log.errors()[0]!.msg).toBe('forbidden: cannot list networking.istio.io/v1 virtualservices: check the ClusterRole');
    expect(log.errors()[0]!.apiMessage).toContain('cannot list resource "virtualservices"');
    await new Promise((r) => setTimeout(r, 300));
    // Retried with backoff, but said once.
    expect(log.errors()).toHaveLength(1);
    expect(source.hasSynced).toBe(false);
    fake.forbid('virtualservices', false);
    await source.synced;
  });

  it('401 says the credentials are wrong', async () => {
    fake = await startFake();
    // A kubeconfig with another token than the server expects.
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml(fake.url, 'wrong'));
    const log = captureLogger();
    source = new KubeSource({ kubeConfig: kc, store: new MemoryConfigStore(), logger: log.logger, ...FAST });
    await source.start();
    await waitFor(() => log.errors().length > 0, 'the unauthorized line');
    expect(log.errors()[0]!.msg).toMatch(/^unauthorized: cannot discover the API groups/);
  });

  it('reads v1 Endpoints when discovery.k8s.io/v1 is not served', async () => {
    fake = await startFake(standardResources({ endpointSlices: false }));
    fake.apply({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'reviews', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.1.0.21' }], ports: [{ port: 9080 }] }] });
    const { store, source, log } = setup(fake);
    await source.start();
    await source.synced;
    expect(store.get('Endpoints', 'default', 'reviews')).toBeDefined();
    expect(log.warnings().filter((l) => l.msg.includes('endpointslices'))).toEqual([]);
  });

  it('--namespaces watches only those namespaces', async () => {
    fake = await startFake();
    for (const o of [...sampleObjects('a'), ...sampleObjects('b')]) fake.apply(o);
    const { store, source } = setup(fake, { namespaces: ['a'] });
    await source.start();
    await source.synced;
    expect(store.get('VirtualService', 'a', 'reviews')).toBeDefined();
    expect(store.get('VirtualService', 'b', 'reviews')).toBeUndefined();
    expect(fake.requests.some((r) => r.startsWith('GET /api/v1/namespaces/a/pods?'))).toBe(true);
    expect(fake.requests.some((r) => /^GET \/api\/v1\/pods\?/.test(r))).toBe(false);
    fake.apply({ ...sampleObjects('b')[0], metadata: { ...sampleObjects('b')[0]!.metadata, labels: { x: 'y' } } });
    fake.apply({ ...sampleObjects('a')[0], metadata: { ...sampleObjects('a')[0]!.metadata, labels: { x: 'y' } } });
    await waitFor(() => store.get('Service', 'a', 'reviews')!.metadata.labels['x'] === 'y', 'namespace a update');
    expect(store.get('Service', 'b', 'reviews')).toBeUndefined();
  });
});
