// XdsServer beyond the checklist: EDS-only pushes, convergence timing, stream lifecycle,
// logging and metrics.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import type { RawResponse } from '../support/raw-xds-client.js';
import { fakePush, metricValue, recordingLogger, startServer } from './fakes.js';
import type { Harness, World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';
import { Connection } from '../../src/xds/connection.js';

const EA = 'outbound|80||a.default.svc.cluster.local';
const EA2 = 'outbound|80|v1|a.default.svc.cluster.local';
const EB = 'outbound|80||b.default.svc.cluster.local';
const WORLD: World = {
  [TypeUrl.Cluster]: { [EA]: '1', [EA2]: '1', [EB]: '1' },
  [TypeUrl.ClusterLoadAssignment]: { [EA]: '1', [EA2]: '1', [EB]: '1' },
};

let h: Harness | undefined;
const clients: RawXdsClient[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) c.cancel();
  await h?.server.close();
  h = undefined;
});
/** A client; its first request (which carries node) is up to the test. */
function open(): RawXdsClient {
  const c = new RawXdsClient(h!.port);
  clients.push(c);
  return c;
}
async function watchEds(c: RawXdsClient, pod: string, names: string[]): Promise<RawResponse> {
  c.send({ node: RawXdsClient.sidecarNode(pod), typeUrl: TYPE.EDS, resourceNames: names });
  const r = await c.next();
  c.ack(r, names);
  return r;
}
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const ackedAll = (n: number) => (): boolean =>
  h!.server.connections().filter((c) => c.types.every((t) => t.nonceAcked === t.nonceSent)).length === n;

describe('EDS-only push', () => {
  it('reaches only the subscribers of a changed cluster (and wildcard EDS), with only those names', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const a = open();
    const b = open();
    const all = open();
    await watchEds(a, 'a', [EA]);
    await watchEds(b, 'b', [EB]);
    await watchEds(all, 'all', []);
    await until(ackedAll(3), 'ACKs');
    const next = fakePush({ ...WORLD, [TypeUrl.ClusterLoadAssignment]: { [EA]: '2', [EA2]: '2', [EB]: '2' } });
    // Only host a changed (the world changed b too: an EDS push for a must not send it).
    const clusters = h.server.edsClustersForHosts(['a.default.svc.cluster.local']);
    expect([...clusters].sort()).toEqual([EA2, EA].sort());
    // Spy on who the push even looks at: streams outside the scope must not be touched.
    const touched: string[] = [];
    for (const g of Object.values(h.generators)) {
      const key = g.scopeKey;
      g.scopeKey = (p) => {
        touched.push(`${g.typeUrl.split('.').pop()}:${p.podName}`);
        return key(p);
      };
    }
    await h.server.push(next, { kind: 'eds', clusters });
    expect(touched.sort()).toEqual(['ClusterLoadAssignment:a', 'ClusterLoadAssignment:all']);
    expect((await a.next()).names).toEqual([EA]);
    expect((await all.next()).names.sort()).toEqual([EA, EA2].sort());
    await b.expectNothing();
    await a.expectNothing(50);
  });

  it('sends nothing when the changed cluster endpoints are identical', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const a = open();
    await watchEds(a, 'a', [EA]);
    await until(ackedAll(1), 'ACK');
    await h.server.push(fakePush(WORLD), { kind: 'eds', clusters: new Set([EA]) });
    await a.expectNothing();
  });
});

describe('stream lifecycle', () => {
  it('answers requests that arrive before the first PushContext once it exists', async () => {
    h = await startServer();
    const c = open();
    c.send({ node: RawXdsClient.sidecarNode('early'), typeUrl: TYPE.CDS });
    await c.expectNothing(100);
    await h.server.push(fakePush(WORLD, 'first'), { kind: 'full' });
    const r = await c.next();
    expect(r).toMatchObject({ typeUrl: TYPE.CDS, versionInfo: 'first' });
    expect(r.names).toHaveLength(3);
  });

  it('answers with an empty response when the client asks for names that do not exist', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = open();
    c.send({ node: RawXdsClient.sidecarNode('x'), typeUrl: TYPE.RDS, resourceNames: ['nope'] });
    const r = await c.next();
    expect(r.resources).toEqual([]);
  });

  it('frees all per-stream state when the stream closes, and counts connections', async () => {
    const { logger, lines } = recordingLogger();
    h = await startServer(logger);
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    // The Connection itself, to check what it still holds once its stream is gone.
    const conns: Connection[] = [];
    const watch = Connection.prototype.watch;
    vi.spyOn(Connection.prototype, 'watch').mockImplementation(function (this: Connection, ...args) {
      conns.push(this);
      return watch.apply(this, args);
    });
    const c = open();
    await watchEds(c, 'gone', [EA]);
    await until(() => h!.server.connections().length === 1, 'connect');
    expect(await metricValue(h.metrics, 'pilot_xds')).toBe(1);
    // An unACKed push leaves convergence pending.
    await h.server.push(fakePush({ ...WORLD, [TypeUrl.ClusterLoadAssignment]: { [EA]: '2' } }), { kind: 'eds', clusters: new Set([EA]) }, 1);
    await c.next();
    const conn = conns[0]!;
    expect(conn.convergence).toBeDefined();
    c.close();
    await until(() => h!.server.connections().length === 0, 'disconnect');
    expect(await metricValue(h.metrics, 'pilot_xds')).toBe(0);
    expect(conn.watched.size).toBe(0);
    expect(conn.convergence).toBeUndefined();
    expect(h.server.pushQueueStats()).toMatchObject({ pending: 0, inFlight: 0 });
    expect(h.server.edsClustersForHosts(['a.default.svc.cluster.local'])).toEqual(new Set([EA])); // only the cache knows it
    const infos = lines.filter((l) => l['level'] === 30).map((l) => l['msg']);
    expect(infos).toEqual(expect.arrayContaining(['xDS stream connected', 'xDS stream disconnected']));
  });

  it('logs every push at debug with proxy, type, version, resources and bytes', async () => {
    const { logger, lines } = recordingLogger();
    h = await startServer(logger);
    await h.server.push(fakePush(WORLD, 'v-log'), { kind: 'full' });
    const c = open();
    await watchEds(c, 'log', [EA, EB]);
    const pushed = lines.find((l) => l['msg'] === 'pushed');
    expect(pushed).toMatchObject({ level: 20, type: 'eds', version: 'v-log', resources: 2, proxy: expect.stringContaining('log') });
    expect(pushed!['bytes']).toBeGreaterThan(0);
    expect(await metricValue(h.metrics, 'pilot_xds_pushes', { type: 'eds' })).toBe(1);
  });
});

describe('convergence', () => {
  it('observes pilot_proxy_convergence_time once the proxy ACKed every response of the push', async () => {
    let now = 1_000;
    h = await startServer(undefined, () => now);
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = open();
    c.send({ node: RawXdsClient.sidecarNode('conv'), typeUrl: TYPE.CDS });
    c.ack(await c.next());
    c.send({ typeUrl: TYPE.EDS, resourceNames: [EA] });
    c.ack(await c.next(), [EA]);
    await until(ackedAll(1), 'ACKs');
    const count = (): Promise<number> => metricValue(h!.metrics, 'pilot_proxy_convergence_time_count');
    expect(await count()).toBe(0);
    // A change of cluster a at t=1000 ms pushed at 1500: CDS then EDS.
    const changed = fakePush({ ...WORLD, [TypeUrl.Cluster]: { ...WORLD[TypeUrl.Cluster], [EA]: '2' } });
    now = 1_500;
    await h.server.push(changed, { kind: 'full' }, 1_000);
    const cds = await c.next();
    const eds = await c.next();
    expect([cds.typeUrl, eds.typeUrl]).toEqual([TYPE.CDS, TYPE.EDS]);
    now = 1_700;
    c.ack(cds);
    await until(() => h!.server.connections()[0]!.types.some((t) => t.nonceAcked === cds.nonce), 'CDS ACK');
    expect(await count()).toBe(0); // EDS not ACKed yet
    now = 2_250;
    c.ack(eds, [EA]);
    await until(async () => (await count()) === 1, 'convergence');
    expect(await metricValue(h.metrics, 'pilot_proxy_convergence_time_sum')).toBeCloseTo(1.25);
  });
});
