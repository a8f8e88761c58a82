// End to end in Kubernetes mode: Bookinfo lives in a fake API server (test/support/
// fake-apiserver.ts), mini-istiod watches it through a kubeconfig, and a real grpc-js-xds
// client calls echo backends standing in for the reviews pods (127.0.9.x). Changes made
// through the API server reach the client: VirtualService updates as full pushes, an
// EndpointSlice change as an EDS-only push; restarts, 410 relists, a missing CRD and RBAC
// errors are survived.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { startControlPlane } from '../../src/cli/control-plane.js';
import type { XdsEvent } from '../../src/xds/observer.js';
import { startClient, type ClientProcess } from '../support/client-process.js';
import { startBackend, type Backend } from '../support/echo-backend.js';
import { DEBOUNCE_MS, PORT, REVIEWS, bookinfoConfig, routeAllTo } from '../support/bookinfo.js';
import { FakeApiServer, standardResources } from '../support/fake-apiserver.js';
import { captureLogger, kubeConfigFor, waitFor } from '../sources/kube/helpers.js';

const NET = '127.0.9';
const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
const SECURITY = ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'];

type ControlPlane = Awaited<ReturnType<typeof startControlPlane>>;

/** reviews' EndpointSlice, as the EndpointSlice controller writes it, for the pods named. */
function reviewsSlice(versions: string[]): Record<string, unknown> {
  const ip: Record<string, string> = { v1: `${NET}.21`, v2: `${NET}.22`, v3: `${NET}.23` };
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'reviews-8x2kq', namespace: 'default', labels: { 'kubernetes.io/service-name': 'reviews' } },
    addressType: 'IPv4',
    endpoints: versions.map((v) => ({ addresses: [ip[v]], conditions: { ready: true }, targetRef: { kind: 'Pod', name: `reviews-${v}`, namespace: 'default' } })),
    ports: [{ name: 'http', port: PORT, protocol: 'TCP' }],
  };
}

async function readyStatus(cp: ControlPlane): Promise<number> {
  return (await fetch(`http://127.0.0.1:${cp.httpPort}/ready`)).status;
}

describe('grpc-js-xds client against mini-istiod watching Kubernetes', () => {
  const log = captureLogger();
  let fake: FakeApiServer;
  let cp: ControlPlane;
  let client: ClientProcess;
  const backends: Backend[] = [];
  let readyWhileForbidden = 0;

  beforeAll(async () => {
    // security.istio.io CRDs are not installed: reported, and nothing else minds.
    fake = new FakeApiServer(standardResources({ omit: SECURITY }), { token: 'test-token' });
    await fake.start();
    for (const text of bookinfoConfig(NET).values()) for (const doc of parseAllDocuments(text)) fake.apply(doc.toJS());
    fake.apply(reviewsSlice(['v1', 'v2', 'v3']));
    for (const [v, host] of [['v1', 21], ['v2', 22], ['v3', 23]] as const) {
      backends.push(await startBackend({ address: `${NET}.${host}`, port: PORT, name: `reviews-${v}` }));
    }
    // RBAC not granted yet for DestinationRules: the control plane must not claim readiness.
    fake.forbid('destinationrules');
    cp = await startControlPlane({
      grpcAddr: '127.0.0.1:0',
      httpAddr: '127.0.0.1:0',
      debounceAfterMs: DEBOUNCE_MS,
      debounceMaxMs: 1000,
      logger: log.logger,
      kube: { kubeConfig: kubeConfigFor(fake), backoff: { initialMs: 50, maxMs: 500 }, rediscoverMs: 1000 },
    });
    await waitFor(() => log.errors().some((l) => l.msg.startsWith('forbidden:')), 'the forbidden error');
    readyWhileForbidden = await readyStatus(cp);
    fake.forbid('destinationrules', false);
    await cp.ready;
    client = await startClient({ kind: 'grpc-js-xds', xdsPort: cp.grpcPort });
    await client.waitFor({ target: REVIEWS, count: 1 }, (r) => r.ok === 1, 60_000);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await cp?.close();
    await Promise.all(backends.map((b) => b.close()));
    await fake?.stop();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && client) console.error(`grpc-js-xds client stderr (tail):\n${client.stderrTail(5000)}`);
    if (cp) expect(cp.nacks()).toEqual([]);
  });

  const setRoute = (yaml: string) => fake.apply(parse(yaml) as Record<string, unknown>);
  const onlyTo = (v: string) => client.waitFor({ target: REVIEWS, count: 30 }, (r) => r.byBackend[`reviews-${v}`] === 30);

  it('/ready stays 503 until every informer synced; RBAC and missing CRDs are reported clearly', async () => {
    expect(readyWhileForbidden).toBe(503);
    expect(await readyStatus(cp)).toBe(200);
    expect(log.errors().find((l) => l.msg.startsWith('forbidden:'))!.msg).toBe(
      'forbidden: cannot list networking.istio.io/v1 destinationrules: check the ClusterRole',
    );
    for (const r of ['peerauthentications', 'authorizationpolicies', 'requestauthentications']) {
      expect(log.warnings().filter((l) => l.msg.startsWith(`security.istio.io/v1 ${r} is not served`)), r).toHaveLength(1);
    }
    expect(cp.store.get('DestinationRule', 'default', 'reviews')).toBeDefined();
  });

  it('follows a VirtualService created and then updated through the API server', async () => {
    setRoute(routeAllTo('v2'));
    await onlyTo('v2');
    setRoute(routeAllTo('v3'));
    await onlyTo('v3');
    expect(cp.controller.lastPush()?.kind).toBe('full');
  });

  it('an EndpointSlice change is pushed as EDS only', async () => {
    fake.delete('networking.istio.io/v1', 'VirtualService', 'default', 'reviews');
    await client.waitFor({ target: REVIEWS, count: 60 }, (r) => r.ok === 60 && Object.keys(r.byBackend).length === 3);
    await cp.controller.idle();
    const seen: XdsEvent[] = [];
    const stop = cp.xds.observe((e) => seen.push(e));
    try {
      fake.apply(reviewsSlice(['v1', 'v2']));
      await client.waitFor({ target: REVIEWS, count: 60 }, (r) => r.ok === 60 && !r.byBackend['reviews-v3'] && Object.keys(r.byBackend).length === 2);
    } finally {
      stop();
    }
    const sends = seen.filter((e) => e.kind === 'send');
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.map((e) => (e.kind === 'send' ? e.typeUrl : ''))).toEqual(sends.map(() => EDS));
    expect(cp.controller.lastPush()).toMatchObject({ kind: 'eds', changedHosts: ['reviews.default.svc.cluster.local'] });
    fake.apply(reviewsSlice(['v1', 'v2', 'v3']));
    await client.waitFor({ target: REVIEWS, count: 60 }, (r) => r.ok === 60 && Object.keys(r.byBackend).length === 3);
  });

  it('an API server restart with its state kept: a change made while it was down arrives, nothing doubled', async () => {
    const owners = cp.store.ownerNames();
    await fake.stop();
    setRoute(routeAllTo('v1'));
    await new Promise((r) => setTimeout(r, 300));
    await fake.start();
    await onlyTo('v1');
    expect(cp.store.ownerNames()).toEqual([...owners, 'kube:VirtualService/default/reviews'].sort());
  });

  it('an API server restart in a new resourceVersion epoch relists: nothing lost or doubled', async () => {
    const before = JSON.stringify(cp.store.ownerNames());
    const version = cp.controller.lastPush()?.version;
    await fake.restart({ newEpoch: true, downMs: 300 });
    await waitFor(() => fake.openWatches() >= 6, 'the informers watching again');
    // An unchanged relist is no change: no push at all.
    await new Promise((r) => setTimeout(r, 3 * DEBOUNCE_MS));
    expect(cp.controller.lastPush()?.version).toBe(version);
    expect(JSON.stringify(cp.store.ownerNames())).toBe(before);
    setRoute(routeAllTo('v2'));
    await onlyTo('v2');
  });

  it('a 410 on a live watch relists and keeps following', async () => {
    fake.expireWatches();
    setRoute(routeAllTo('v3'));
    await onlyTo('v3');
    const r = await client.call({ target: REVIEWS, count: 50 });
    expect(r).toMatchObject({ ok: 50, byBackend: { 'reviews-v3': 50 } });
  });
});
