// The informer's robustness against the fake API server: watches resumed from the last
// resourceVersion, bookmarks, 410 Gone relists diffed against what is held, API server
// restarts (state kept, or a new resourceVersion epoch), dropped connections and capped
// backoff. "Nothing lost or doubled" is checked on the config store's own events.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryConfigStore } from '../../../src/model/config-store.js';
import type { ConfigEvent } from '../../../src/model/config.js';
import { Informer, type RawObject } from '../../../src/sources/kube/informer.js';
import { KubeClient } from '../../../src/sources/kube/kube-client.js';
import { KubeSource } from '../../../src/sources/kube/kube-source.js';
import type { FakeApiServer } from '../../support/fake-apiserver.js';
import { FAST, captureLogger, kubeConfigFor, startFake, waitFor } from './helpers.js';

let fake: FakeApiServer | undefined;
let source: KubeSource | undefined;
let informer: Informer | undefined;

afterEach(async () => {
  await informer?.stop();
  await source?.close();
  await fake?.stop();
  informer = source = fake = undefined;
});

const pod = (name: string, ip: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'x', ...labels } },
  spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: ip },
});

/** Sorted `type Kind/ns/name` lines, to compare event sets. */
const lines = (es: ConfigEvent[]) => es.map((e) => `${e.type} ${e.kind}/${e.namespace}/${e.name}`).sort();

async function syncedSource(f: FakeApiServer, watchTimeoutSeconds = 30) {
  const store = new MemoryConfigStore();
  const events: ConfigEvent[] = [];
  store.subscribe((es) => events.push(...es));
  const log = captureLogger();
  // Only Pods: the request log then tells exactly what this informer did.
  source = new KubeSource({
    kubeConfig: kubeConfigFor(f), store, logger: log.logger, ...FAST, watchTimeoutSeconds,
    kinds: [{ kind: 'Pod', group: '', versions: ['v1'], resource: 'pods' }],
  });
  await source.start();
  await source.synced;
  await waitFor(() => f.openWatches('pods') === 1, 'the watch');
  events.length = 0;
  return { store, events, log };
}

const podLists = (f: FakeApiServer) => f.requests.filter((r) => r.startsWith('GET /api/v1/pods?limit='));
const podWatches = (f: FakeApiServer) => f.requests.filter((r) => r.startsWith('GET /api/v1/pods?watch=true'));

describe('Informer', () => {
  it('pages the list with limit/continue', async () => {
    fake = await startFake();
    for (let i = 0; i < 5; i++) fake.apply(pod(`p${i}`, `10.0.0.${i}`));
    const { store } = await syncedSource(fake);
    expect(podLists(fake)).toHaveLength(3);
    expect(podLists(fake).filter((r) => r.includes('continue='))).toHaveLength(2);
    expect(store.list('Pod').map((p) => p.metadata.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('resumes a watch the server ended from the last resourceVersion, without relisting', async () => {
    fake = await startFake();
    fake.apply(pod('a', '10.0.0.1'));
    const { store, events } = await syncedSource(fake, 1);
    const rv = fake.apply(pod('b', '10.0.0.2'));
    await waitFor(() => store.get('Pod', 'default', 'b') !== undefined, 'b');
    // The server ends each watch after 1 s: wait for the next one.
    await waitFor(() => podWatches(fake!).length >= 2, 'a second watch', 5000);
    expect(podWatches(fake).at(-1)).toContain(`resourceVersion=${rv}&`);
    fake.apply(pod('c', '10.0.0.3'));
    await waitFor(() => store.get('Pod', 'default', 'c') !== undefined, 'c');
    expect(podLists(fake)).toHaveLength(1);
    expect(lines(events)).toEqual(['add Pod/default/b', 'add Pod/default/c']);
  });

  it('moves its resourceVersion forward on BOOKMARK events', async () => {
    fake = await startFake();
    const client = new KubeClient(kubeConfigFor(fake));
    const seen: RawObject[] = [];
    informer = new Informer({
      client, kind: { kind: 'Pod', group: '', versions: ['v1'], resource: 'pods', version: 'v1' }, backoff: FAST.backoff,
      handlers: { upsert: (o) => seen.push(o), remove: () => undefined, error: () => undefined, notFound: () => undefined, listed: () => undefined },
    });
    informer.start();
    await informer.synced;
    await waitFor(() => fake!.openWatches('pods') === 1, 'the watch');
    const before = informer.resourceVersion;
    // Changes to another kind move the server's resourceVersion; pods see only a bookmark.
    fake.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: {} });
    fake.bookmark();
    await waitFor(() => informer!.resourceVersion === fake!.resourceVersion, 'the bookmark');
    expect(informer.resourceVersion).not.toBe(before);
    fake.dropWatches();
    await waitFor(() => podWatches(fake!).length === 2, 'the resumed watch');
    expect(podWatches(fake)[1]).toContain(`resourceVersion=${fake.resourceVersion}&allowWatchBookmarks=true`);
    expect(seen).toEqual([]);
  });

  it('410 Gone relists and diffs: deletions for the missing, nothing doubled', async () => {
    fake = await startFake();
    for (const n of ['a', 'b', 'c']) fake.apply(pod(n, '10.0.0.1'));
    const { store, events } = await syncedSource(fake);
    // Changes the informer cannot see as events: made while it is cut off, then compacted away.
    await fake.stop();
    fake.delete('v1', 'Pod', 'default', 'a');
    fake.apply(pod('b', '10.0.0.9'));
    fake.apply(pod('d', '10.0.0.4'));
    fake.compact();
    await fake.start();
    await waitFor(() => podLists(fake!).length === 2, 'the relist');
    await waitFor(() => store.get('Pod', 'default', 'd') !== undefined, 'd');
    expect(store.list('Pod').map((p) => p.metadata.name)).toEqual(['b', 'c', 'd']);
    expect(lines(events)).toEqual(['add Pod/default/d', 'delete Pod/default/a', 'update Pod/default/b']);
  });

  it('an ERROR 410 event on a live watch relists, and an unchanged relist changes nothing', async () => {
    fake = await startFake();
    for (const n of ['a', 'b']) fake.apply(pod(n, '10.0.0.1'));
    const { events } = await syncedSource(fake);
    fake.expireWatches();
    await waitFor(() => podLists(fake!).length === 2 && fake!.openWatches('pods') === 1, 'relist and watch');
    fake.apply(pod('c', '10.0.0.3'));
    await waitFor(() => events.length === 1, 'c');
    expect(lines(events)).toEqual(['add Pod/default/c']);
  });

  it('an API server restart with state kept resumes the watch: nothing lost or doubled', async () => {
    fake = await startFake();
    for (const n of ['a', 'b']) fake.apply(pod(n, '10.0.0.1'));
    const { store, events, log } = await syncedSource(fake);
    await fake.stop();
    fake.apply(pod('a', '10.0.0.7'));
    fake.apply(pod('c', '10.0.0.3'));
    fake.delete('v1', 'Pod', 'default', 'b');
    await new Promise((r) => setTimeout(r, 300)); // a few failed reconnects, with backoff
    await fake.start();
    await waitFor(() => store.get('Pod', 'default', 'c') !== undefined && store.get('Pod', 'default', 'b') === undefined, 'catch-up');
    expect(podLists(fake)).toHaveLength(1);
    expect(lines(events)).toEqual(['add Pod/default/c', 'delete Pod/default/b', 'update Pod/default/a']);
    // Unreachable is said once (then debug), and recovery once.
    expect(log.warnings().filter((l) => l.msg.includes('unreachable'))).toHaveLength(1);
    expect(log.lines.some((l) => l.msg === 'API server reachable again')).toBe(true);
  });

  it('an API server restart in a new resourceVersion epoch relists: unchanged objects cause no events', async () => {
    fake = await startFake();
    for (const n of ['a', 'b']) fake.apply(pod(n, '10.0.0.1'));
    const { store, events } = await syncedSource(fake);
    await fake.restart({ newEpoch: true, downMs: 100 });
    await waitFor(() => podLists(fake!).length === 2, 'the relist');
    await waitFor(() => fake!.openWatches('pods') === 1, 'the new watch');
    expect(events).toEqual([]);
    expect(store.get('Pod', 'default', 'a')!.metadata.resourceVersion).toBe(store.get('Pod', 'default', 'a')!.metadata.resourceVersion);
    fake.apply(pod('b', '10.0.0.2'));
    await waitFor(() => events.length === 1, 'b updated');
    expect(lines(events)).toEqual(['update Pod/default/b']);
  });

  it('a dropped connection resumes from the last resourceVersion without losing a change', async () => {
    fake = await startFake();
    const { store, events } = await syncedSource(fake);
    fake.dropWatches();
    fake.apply(pod('a', '10.0.0.1')); // made while no watch is open
    await waitFor(() => store.get('Pod', 'default', 'a') !== undefined, 'a');
    expect(podLists(fake)).toHaveLength(1);
    expect(lines(events)).toEqual(['add Pod/default/a']);
  });

  it('backs off, capped, while the API server is away', async () => {
    fake = await startFake();
    await syncedSource(fake);
    const port = fake.port;
    await fake.stop();
    const before = fake.requests.length;
    // Count connection attempts on the same port with a bare listener for 1 s.
    const { createServer } = await import('node:net');
    let attempts = 0;
    const probe = createServer((s) => {
      attempts += 1;
      s.destroy();
    });
    await new Promise<void>((r) => probe.listen(port, '127.0.0.1', () => r()));
    await new Promise((r) => setTimeout(r, 1000));
    await new Promise<void>((r) => probe.close(() => r()));
    // 20 ms doubling to a 200 ms cap (±20 %): about 8 attempts in a second, not hundreds.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(15);
    expect(fake.requests.length).toBe(before);
  });
});
