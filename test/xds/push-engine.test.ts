// The push engine at scale: changed-key scoping (per proxy and per type), the new-stream
// rate limit, convergence through the queue, and that per-stream state is freed.
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawDeltaClient } from '../support/raw-delta-client.js';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import { fakeGenerators, fakePush, metricValue, silentLogger, startServer } from './fakes.js';
import type { Harness, World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';
import { Metrics } from '../../src/metrics.js';
import { XdsServer } from '../../src/xds/xds-server.js';
import * as scope from '../../src/translate/scope.js';

const CA = 'outbound|80||a.default.svc.cluster.local';
const WORLD: World = {
  [TypeUrl.Cluster]: { [CA]: '1' },
  [TypeUrl.ClusterLoadAssignment]: { [CA]: '1' },
  [TypeUrl.Listener]: { virtualOutbound: '1' },
  [TypeUrl.RouteConfiguration]: { '80': '1' },
};
const VS = [{ kind: 'VirtualService' as const, namespace: 'default', name: 'reviews' }];

let h: Harness | undefined;
const clients: { cancel(): void }[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) c.cancel();
  await h?.server.close();
  h = undefined;
});
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A delta client subscribed to all four types, everything ACKed. */
async function settledDeltaClient(pod: string): Promise<RawDeltaClient> {
  const c = new RawDeltaClient(h!.port);
  clients.push(c);
  c.send({ node: RawXdsClient.sidecarNode(pod), typeUrl: TYPE.CDS, subscribe: ['*'] });
  c.ack(await c.next());
  c.send({ typeUrl: TYPE.EDS, subscribe: [CA] });
  c.send({ typeUrl: TYPE.LDS, subscribe: ['*'] });
  c.send({ typeUrl: TYPE.RDS, subscribe: ['80'] });
  for (let i = 0; i < 3; i++) c.ack(await c.next());
  await until(() => h!.server.connections().some((x) => x.proxyId.includes(pod) && x.types.length === 4 && x.types.every((t) => t.nonceAcked === t.nonceSent)), 'ACKs');
  return c;
}

describe('changed keys scope a full push', () => {
  it('a VirtualService change recomputes RDS only', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = await settledDeltaClient('vs');
    for (const g of Object.values(h.generators)) g.calls.length = 0;
    await h.server.push(fakePush({ ...WORLD, [TypeUrl.RouteConfiguration]: { '80': '2' } }), { kind: 'full', changed: VS });
    expect((await c.next()).typeUrl).toBe(TYPE.RDS);
    expect(h.generators[TypeUrl.Cluster].calls).toHaveLength(0);
    expect(h.generators[TypeUrl.Listener].calls).toHaveLength(0);
    await c.expectNothing(100);
  });

  it('skips proxies the change cannot affect (translate/scope.ts affectsProxy)', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const near = await settledDeltaClient('near');
    const far = await settledDeltaClient('far');
    const spy = vi.spyOn(scope, 'affectsProxy').mockImplementation((_p, proxy) => proxy.podName === 'near');
    await h.server.push(fakePush({ ...WORLD, [TypeUrl.RouteConfiguration]: { '80': '3' } }), { kind: 'full', changed: VS });
    expect((await near.next()).names).toEqual(['80']);
    await far.expectNothing(150);
    expect(spy).toHaveBeenCalled();
    // Without changed keys (initial push, mesh config) nobody is skipped.
    await h.server.push(fakePush({ ...WORLD, [TypeUrl.RouteConfiguration]: { '80': '4' } }), { kind: 'full' });
    expect((await far.next()).names).toEqual(['80']);
  });
});

describe('new-stream rate limit', () => {
  it('refuses streams beyond --max-streams-per-second with RESOURCE_EXHAUSTED, counted', async () => {
    const metrics = new Metrics({ processDefaults: false });
    const server = new XdsServer({ logger: silentLogger, metrics, generators: fakeGenerators(), maxStreamsPerSecond: 1, maxStreamWaitMs: 0 });
    const port = await server.listen('127.0.0.1:0');
    try {
      await server.push(fakePush(WORLD), { kind: 'full' });
      const ok = new RawXdsClient(port);
      const refused = new RawXdsClient(port);
      clients.push(ok, refused);
      ok.send({ node: RawXdsClient.sidecarNode('ok'), typeUrl: TYPE.CDS });
      await ok.next();
      refused.send({ node: RawXdsClient.sidecarNode('no'), typeUrl: TYPE.CDS });
      const st = await refused.status();
      expect(st.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(await metricValue(metrics, 'pilot_xds_rate_limited_streams')).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('convergence through the push queue', () => {
  it('is observed from the trigger to the delta ACK', async () => {
    let now = 1_000;
    h = await startServer(undefined, () => now);
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = await settledDeltaClient('conv');
    now = 1_300;
    await h.server.push(fakePush({ ...WORLD, [TypeUrl.ClusterLoadAssignment]: { [CA]: '2' } }), { kind: 'eds', clusters: new Set([CA]) }, 1_000);
    const r = await c.next();
    now = 1_400;
    c.ack(r);
    await until(async () => (await metricValue(h!.metrics, 'pilot_proxy_convergence_time_count')) === 1, 'convergence');
    expect(await metricValue(h.metrics, 'pilot_proxy_convergence_time_sum')).toBeCloseTo(0.4);
  });
});

describe('per-proxy state is freed', () => {
  it('many connects and disconnects leave no stream, connection, queue entry or stale cache version', async () => {
    h = await startServer();
    for (let round = 0; round < 4; round++) {
      await h.server.push(fakePush({ ...WORLD, [TypeUrl.Cluster]: { [CA]: `${round}` } }), { kind: 'full' });
      const batch: { cancel(): void; next(): Promise<unknown> }[] = [];
      for (let i = 0; i < 25; i++) {
        const node = RawXdsClient.sidecarNode(`p${round}-${i}`, `ns${i % 5}`);
        if (i % 2 === 0) {
          const c = new RawDeltaClient(h.port);
          c.send({ node, typeUrl: TYPE.CDS, subscribe: ['*'] });
          batch.push(c);
        } else {
          const c = new RawXdsClient(h.port);
          c.send({ node, typeUrl: TYPE.CDS });
          batch.push(c);
        }
      }
      await Promise.all(batch.map((c) => c.next()));
      expect(h.server.connections()).toHaveLength(25);
      for (const c of batch) c.cancel();
      await until(() => h!.server.streamCount() === 0, 'streams closed');
    }
    expect(h.server.connections()).toHaveLength(0);
    expect(await metricValue(h.metrics, 'pilot_xds')).toBe(0);
    expect(h.server.pushQueueStats()).toMatchObject({ pending: 0, inFlight: 0 });
    // Only the current version is cached: one entry per (type, scope key) used since.
    expect(h.server.cacheStats().entries).toBeLessThanOrEqual(1);
  });
});
