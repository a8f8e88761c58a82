// The Delta checklist (/work/shared/xds-protocol.md, "Delta (incremental) xDS"), one
// describe per item, over a real gRPC stream with a raw delta client that only does what
// each test tells it to.
import { afterEach, describe, expect, it } from 'vitest';
import { RawDeltaClient } from '../support/raw-delta-client.js';
import type { DeltaResponse } from '../support/raw-delta-client.js';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import { fakePush, metricValue, startServer } from './fakes.js';
import type { Harness, World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';
import { shortHash } from '../../src/xds/resource-cache.js';
import type { XdsEvent } from '../../src/xds/observer.js';

const NODE = RawXdsClient.sidecarNode('delta-1');
const CA = 'outbound|80||a.default.svc.cluster.local';
const CB = 'outbound|80||b.default.svc.cluster.local';
const WORLD: World = {
  [TypeUrl.Cluster]: { [CA]: '1', [CB]: '1' },
  [TypeUrl.ClusterLoadAssignment]: { [CA]: '1', [CB]: '1' },
  [TypeUrl.Listener]: { '0.0.0.0_80': '1', virtualOutbound: '1' },
  [TypeUrl.RouteConfiguration]: { '80': '1', '9080': '1' },
};

let h: Harness | undefined;
const harnesses: Harness[] = [];
const clients: { cancel(): void }[] = [];
async function setup(world: World = WORLD): Promise<Harness> {
  h = await startServer();
  harnesses.push(h);
  await h.server.push(fakePush(world), { kind: 'full' });
  return h;
}
function client(port = h!.port): RawDeltaClient {
  const c = new RawDeltaClient(port);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.cancel();
  for (const x of harnesses.splice(0)) await x.server.close();
  h = undefined;
});
function withTag(w: World, typeUrl: keyof World, name: string, tag: string | undefined): World {
  const next = { ...(w[typeUrl] ?? {}) };
  if (tag === undefined) delete next[name];
  else next[name] = tag;
  return { ...w, [typeUrl]: next };
}
/** ACKs and waits until the server recorded it, so a push right after cannot overtake it. */
async function ackAndWait(c: RawDeltaClient, r: DeltaResponse): Promise<void> {
  c.ack(r);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    if (h!.server.connections().some((x) => x.types.some((t) => t.typeUrl === r.typeUrl && t.nonceAcked === r.nonce))) return;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`ACK of ${r.nonce} not recorded`);
}
const sorted = (a: string[]): string[] => [...a].sort();

describe('1. subscribe / unsubscribe; empty = no change; "*" = wildcard', () => {
  it('"*" subscribes to every resource of the type', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    expect(sorted((await c.next()).names)).toEqual([CA, CB]);
  });

  it('a first request naming nothing is the legacy wildcard', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.LDS });
    expect(sorted((await c.next()).names)).toEqual(['0.0.0.0_80', 'virtualOutbound']);
  });

  it('a later request with empty lists changes nothing (and an ACK is not answered)', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA] });
    const r = await c.next();
    expect(r.names).toEqual([CA]);
    await ackAndWait(c, r);
    c.send({ typeUrl: TYPE.EDS });
    await c.expectNothing();
    // Still subscribed to exactly CA: a change of CB is not sent, one of CA is.
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.ClusterLoadAssignment, CB, '2')), { kind: 'full' });
    await c.expectNothing(150);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.ClusterLoadAssignment, CA, '2')), { kind: 'full' });
    expect((await c.next()).names).toEqual([CA]);
  });

  it('unsubscribing a name needs no answer and stops its updates', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA, CB] });
    const r = await c.next();
    await ackAndWait(c, r);
    c.send({ typeUrl: TYPE.EDS, unsubscribe: [CA] });
    await c.expectNothing(150);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.ClusterLoadAssignment, CA, '2')), { kind: 'full' });
    await c.expectNothing(150);
  });
});

describe('2. Resource{name, version, resource}, removed_resources, nonce, system_version_info', () => {
  it('versions are the content hash; nonces are fresh; system_version_info is the push version', async () => {
    h = await startServer();
    harnesses.push(h);
    await h.server.push(fakePush(WORLD, 'v-debug'), { kind: 'full' });
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    const r = await c.next();
    expect(r.systemVersionInfo).toBe('v-debug');
    for (const x of r.resources) {
      expect(x.typeUrl).toBe(TYPE.CDS);
      expect(x.version).toBe(shortHash(x.value));
    }
    c.send({ typeUrl: TYPE.EDS, subscribe: [CA] });
    const e = await c.next();
    expect(e.nonce).not.toBe(r.nonce);
    expect(e.nonce).not.toBe('');
  });

  it('a deleted cluster is listed in removed_resources, and only the change is sent', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    await ackAndWait(c, await c.next());
    const next = withTag(withTag(WORLD, TypeUrl.Cluster, CB, undefined), TypeUrl.Cluster, CA, '2');
    await h!.server.push(fakePush(next), { kind: 'full' });
    const r = await c.next();
    expect(r.names).toEqual([CA]);
    expect(r.removed).toEqual([CB]);
  });
});

describe('3. initial_resource_versions on reconnect: only what differs', () => {
  it('sends only resources whose version differs, and removes what no longer exists', async () => {
    await setup();
    const first = client();
    first.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    const r = await first.next();
    const versions = Object.fromEntries(r.resources.map((x) => [x.name, x.version]));
    first.cancel();
    // CA changed and a cluster the client still holds is gone.
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, '2')), { kind: 'full' });
    const again = client();
    again.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'], initialResourceVersions: { ...versions, 'outbound|1||gone.default.svc.cluster.local': 'x' } });
    const d = await again.next();
    expect(d.names).toEqual([CA]);
    expect(d.removed).toEqual(['outbound|1||gone.default.svc.cluster.local']);
  });

  it('versions are stable across a server restart: an up-to-date client gets nothing', async () => {
    await setup();
    const first = client();
    first.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA, CB] });
    const r = await first.next();
    const versions = Object.fromEntries(r.resources.map((x) => [x.name, x.version]));
    const restarted = await startServer();
    harnesses.push(restarted);
    await restarted.server.push(fakePush(structuredClone(WORLD)), { kind: 'full' });
    const again = client(restarted.port);
    again.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA, CB], initialResourceVersions: versions });
    await again.expectNothing();
  });
});

describe('4. every name named in a subscribe is returned', () => {
  it('even when the client should already hold it', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA] });
    await ackAndWait(c, await c.next());
    c.send({ typeUrl: TYPE.EDS, subscribe: [CA] });
    expect((await c.next()).names).toEqual([CA]);
  });

  it('a name that does not exist is answered in removed_resources', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA, 'outbound|1||nope.default.svc.cluster.local'] });
    const r = await c.next();
    expect(r.names).toEqual([CA]);
    expect(r.removed).toEqual(['outbound|1||nope.default.svc.cluster.local']);
  });
});

describe('5. unsubscribing a name while holding "*"', () => {
  it('sends it again when the wildcard covers it, else lists it as removed', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*', CA, 'outbound|1||extra.default.svc.cluster.local'] });
    const r = await c.next();
    expect(r.removed).toEqual(['outbound|1||extra.default.svc.cluster.local']);
    await ackAndWait(c, r);
    c.send({ typeUrl: TYPE.CDS, unsubscribe: [CA] });
    const again = await c.next();
    expect(again.names).toEqual([CA]);
    expect(again.removed).toEqual([]);
    await ackAndWait(c, again);
    c.send({ typeUrl: TYPE.CDS, subscribe: ['outbound|1||extra.default.svc.cluster.local'] });
    await ackAndWait(c, await c.next());
    c.send({ typeUrl: TYPE.CDS, unsubscribe: ['outbound|1||extra.default.svc.cluster.local'] });
    expect((await c.next()).removed).toEqual(['outbound|1||extra.default.svc.cluster.local']);
  });
});

describe('6. subscription changes count even with a stale nonce', () => {
  it('answers a subscribe that carries an old nonce', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA] });
    const r1 = await c.next();
    await ackAndWait(c, r1);
    c.send({ typeUrl: TYPE.EDS, subscribe: [CB] });
    const r2 = await c.next();
    expect(r2.names).toEqual([CB]);
    // r1's nonce is stale now; the subscription change still applies.
    c.send({ typeUrl: TYPE.EDS, responseNonce: r1.nonce, unsubscribe: [CB] });
    await c.expectNothing(150);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.ClusterLoadAssignment, CB, '2')), { kind: 'full' });
    await c.expectNothing(150);
    const conn = h!.server.connections()[0]!;
    expect(conn.types.find((t) => t.typeUrl === TYPE.EDS)!.names).toEqual([CA]);
  });
});

describe('7. no EDS/RDS removals that could hurt warming', () => {
  it('endpoints that vanish are not sent as removed; a cluster that vanishes is', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    await ackAndWait(c, await c.next());
    c.send({ typeUrl: TYPE.EDS, subscribe: [CA, CB] });
    await ackAndWait(c, await c.next());
    // CB goes away entirely; CA changes, so its EDS is sent again (it warms).
    let gone: World = withTag(withTag(WORLD, TypeUrl.Cluster, CB, undefined), TypeUrl.ClusterLoadAssignment, CB, undefined);
    gone = withTag(gone, TypeUrl.Cluster, CA, '2');
    await h!.server.push(fakePush(gone), { kind: 'full' });
    const cds = await c.next();
    expect(cds).toMatchObject({ typeUrl: TYPE.CDS, names: [CA], removed: [CB] });
    const eds = await c.next();
    expect(eds).toMatchObject({ typeUrl: TYPE.EDS, names: [CA], removed: [] });
    await c.expectNothing(150);
  });
});

describe('ACK and NACK per type', () => {
  it('records and counts a NACK, does not resend, and sends the next change', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    await ackAndWait(c, await c.next());
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, 'bad')), { kind: 'full' });
    const bad = await c.next();
    c.nack(bad, 'bad cluster');
    await c.expectNothing(200);
    expect(h!.server.nackHistory()).toMatchObject([{ type: 'cds', nonce: bad.nonce, message: 'bad cluster' }]);
    expect(await metricValue(h!.metrics, 'pilot_total_xds_rejects', { type: 'cds' })).toBe(1);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, 'bad')), { kind: 'full' });
    await c.expectNothing(150);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, 'fixed')), { kind: 'full' });
    expect((await c.next()).names).toEqual([CA]);
  });
});

describe('SotW and delta on one server', () => {
  it('get the same bytes for every resource', async () => {
    await setup();
    const d = client();
    const s = new RawXdsClient(h!.port);
    clients.push(s);
    d.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    s.send({ node: RawXdsClient.sidecarNode('sotw-1'), typeUrl: TYPE.CDS });
    const dr = await d.next();
    const sr = await s.next();
    const byName = new Map(dr.resources.map((x) => [x.name, x.value]));
    expect(sr.names.length).toBe(2);
    sr.resources.forEach((x, i) => expect(Buffer.compare(x.value, byName.get(sr.names[i]!)!)).toBe(0));
  });
});

describe('delta streams in the push engine', () => {
  it('a CDS response brings EDS for its clusters; an EDS-only push sends only the changed cluster', async () => {
    await setup();
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA, CB] });
    await ackAndWait(c, await c.next());
    c.send({ typeUrl: TYPE.CDS, subscribe: ['*'] });
    const cds = await c.next();
    expect(cds.typeUrl).toBe(TYPE.CDS);
    const eds = await c.next();
    expect(sorted(eds.names)).toEqual([CA, CB]);
    await ackAndWait(c, cds);
    await ackAndWait(c, eds);
    await h!.server.push(fakePush(withTag(withTag(WORLD, TypeUrl.ClusterLoadAssignment, CA, '2'), TypeUrl.ClusterLoadAssignment, CB, '2')), { kind: 'eds', clusters: new Set([CA]) });
    expect((await c.next()).names).toEqual([CA]);
    await c.expectNothing(150);
  });

  it('tells observers about delta connects and removals', async () => {
    await setup();
    const events: XdsEvent[] = [];
    h!.server.observe((e) => events.push(e));
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.CDS, subscribe: ['*'] });
    await ackAndWait(c, await c.next());
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CB, undefined)), { kind: 'full' });
    await c.next();
    expect(events[0]).toMatchObject({ kind: 'connect', protocol: 'delta' });
    const sends = events.filter((e): e is Extract<XdsEvent, { kind: 'send' }> => e.kind === 'send');
    expect(sends.at(-1)).toMatchObject({ removed: [CB], names: [] });
  });
});
