// The SotW checklist (/work/shared/xds-protocol.md), one describe per item, over a real
// gRPC stream with a raw client that only does what each test tells it to.
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { RawXdsClient, TYPE, deltaStatus } from '../support/raw-xds-client.js';
import type { RawResponse } from '../support/raw-xds-client.js';
import { fakePush, recordingLogger, startServer } from './fakes.js';
import type { Harness, World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';

const NODE = RawXdsClient.sidecarNode();
let h: Harness | undefined;
const clients: RawXdsClient[] = [];

async function setup(world?: World, logger?: Parameters<typeof startServer>[0]): Promise<Harness> {
  h = await startServer(logger);
  if (world) await h.server.push(fakePush(world), { kind: 'full' });
  return h;
}
function client(): RawXdsClient {
  const c = new RawXdsClient(h!.port);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.cancel();
  await h?.server.close();
  h = undefined;
});

const WORLD: World = {
  [TypeUrl.Cluster]: { 'outbound|80||a.default.svc.cluster.local': '1', 'outbound|80||b.default.svc.cluster.local': '1' },
  [TypeUrl.ClusterLoadAssignment]: { 'outbound|80||a.default.svc.cluster.local': '1', 'outbound|80||b.default.svc.cluster.local': '1' },
  [TypeUrl.Listener]: { '0.0.0.0_80': '1', virtualOutbound: '1' },
  [TypeUrl.RouteConfiguration]: { '80': '1', '9080': '1' },
};
const CA = 'outbound|80||a.default.svc.cluster.local';
const CB = 'outbound|80||b.default.svc.cluster.local';

function withTag(w: World, typeUrl: keyof World, name: string, tag: string | undefined): World {
  const next = { ...(w[typeUrl] ?? {}) };
  if (tag === undefined) delete next[name];
  else next[name] = tag;
  return { ...w, [typeUrl]: next };
}

/** ACKs and waits until the server recorded it (so a push right after cannot overtake it). */
async function ackAndWait(c: RawXdsClient, r: RawResponse, names?: string[]): Promise<void> {
  c.ack(r, names);
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    const acked = h!.server.connections().some((x) => x.types.some((t) => t.typeUrl === r.typeUrl && t.nonceAcked === r.nonce));
    if (acked) return;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`ACK of ${r.nonce} not recorded`);
}

/** First request with node for `typeUrl`, returns the first response. */
async function subscribe(c: RawXdsClient, typeUrl: string, resourceNames: string[] = []): Promise<RawResponse> {
  c.send({ node: NODE, typeUrl, resourceNames });
  return c.next();
}

describe('1. node and type_url', () => {
  it('refuses a first request without node (INVALID_ARGUMENT naming it)', async () => {
    await setup(WORLD);
    const c = client();
    c.send({ typeUrl: TYPE.CDS });
    const st = await c.status();
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.details).toMatch(/first DiscoveryRequest.*node/);
  });

  it('refuses a request without type_url', async () => {
    await setup(WORLD);
    const c = client();
    c.send({ node: NODE });
    const st = await c.status();
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.details).toMatch(/type_url/);
  });

  it('refuses a malformed sidecar node id with the parse message', async () => {
    await setup(WORLD);
    const c = client();
    c.send({ node: { id: 'sidecar~10.0.0.1~broken' }, typeUrl: TYPE.CDS });
    const st = await c.status();
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.details).toMatch(/node.id "sidecar~10.0.0.1~broken".*got 3/);
  });

  it('keeps the node of the first request for the whole stream, metadata decoded', async () => {
    await setup(WORLD);
    const seen: Record<string, string>[] = [];
    h!.generators[TypeUrl.ClusterLoadAssignment].scopeKey = (p) => {
      seen.push(p.labels);
      return p.id;
    };
    const c = client();
    c.send({ node: { ...NODE, metadata: { LABELS: { app: 'reviews', version: 'v1' }, NAMESPACE: 'default' } }, typeUrl: TYPE.CDS });
    await c.next();
    // Later requests carry no node.
    c.send({ typeUrl: TYPE.EDS, resourceNames: [CA] });
    const eds = await c.next();
    expect(eds.names).toEqual([CA]);
    expect(seen.at(-1)).toEqual({ app: 'reviews', version: 'v1' });
    expect(h!.server.connections().map((x) => x.proxyId)).toEqual([NODE.id]);
  });

  it('serves DeltaAggregatedResources too: a delta stream without node is refused the same way', async () => {
    await setup(WORLD);
    const st = await deltaStatus(h!.port);
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.details).toMatch(/first DiscoveryRequest.*node/);
  });
});

describe('2. each type is its own sub-stream', () => {
  it('keeps nonce, version and ACK state per type', async () => {
    await setup(WORLD);
    const c = client();
    const cds = await subscribe(c, TYPE.CDS);
    c.send({ typeUrl: TYPE.LDS });
    const lds = await c.next();
    expect(lds.nonce).not.toBe(cds.nonce);
    c.ack(lds);
    await c.expectNothing();
    // The CDS nonce is not LDS's: for LDS it is stale, so nothing is sent.
    c.send({ typeUrl: TYPE.LDS, responseNonce: cds.nonce, versionInfo: cds.versionInfo });
    await c.expectNothing();
    const types = h!.server.connections()[0]!.types;
    const byType = Object.fromEntries(types.map((t) => [t.typeUrl, t]));
    expect(byType[TYPE.LDS]).toMatchObject({ nonceSent: lds.nonce, nonceAcked: lds.nonce });
    expect(byType[TYPE.CDS]).toMatchObject({ nonceSent: cds.nonce, nonceAcked: undefined });
  });
});

describe('3. response envelope', () => {
  it('sets version_info, type_url and a fresh nonce; every Any has the type URL; no name twice', async () => {
    await setup();
    // A generator bug returning one name twice must not reach the wire.
    const gen = h!.generators[TypeUrl.Cluster];
    const orig = gen.generate.bind(gen);
    gen.generate = (push, proxy, names) => {
      const out = orig(push, proxy, names);
      return [...out, ...out];
    };
    const p1 = fakePush(WORLD, 'version-1');
    await h!.server.push(p1, { kind: 'full' });
    const c = client();
    const r1 = await subscribe(c, TYPE.CDS);
    expect(r1.versionInfo).toBe('version-1');
    expect(r1.typeUrl).toBe(TYPE.CDS);
    expect(r1.nonce).not.toBe('');
    expect(r1.resources.every((a) => a.typeUrl === TYPE.CDS)).toBe(true);
    expect(r1.names.sort()).toEqual([CA, CB]);
    await ackAndWait(c, r1);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, '2'), 'version-2'), { kind: 'full' });
    const r2 = await c.next();
    expect(r2.versionInfo).toBe('version-2');
    expect(r2.nonce).not.toBe(r1.nonce);
  });
});

describe('4. ACK', () => {
  it('is not answered, and is recorded per type', async () => {
    await setup(WORLD);
    const c = client();
    const r = await subscribe(c, TYPE.CDS);
    c.ack(r);
    await c.expectNothing();
    const t = h!.server.connections()[0]!.types[0]!;
    expect(t).toMatchObject({ nonceSent: r.nonce, versionSent: r.versionInfo, nonceAcked: r.nonce, versionAcked: r.versionInfo });
  });
});

describe('5. NACK', () => {
  it('is recorded, counted, logged, and not answered with the rejected config', async () => {
    const { logger, lines } = recordingLogger();
    await setup(WORLD, logger);
    const c = client();
    const first = await subscribe(c, TYPE.CDS);
    await ackAndWait(c, first);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, 'bad')), { kind: 'full' });
    const bad = await c.next();
    c.nack(bad, first.versionInfo, 'cluster a: invalid');
    await c.expectNothing();
    const t = h!.server.connections()[0]!.types[0]!;
    expect(t.lastNack).toMatchObject({ nonce: bad.nonce, version: first.versionInfo, message: 'cluster a: invalid' });
    expect(t.versionAcked).toBe(first.versionInfo);
    expect(h!.server.nackHistory()).toEqual([
      expect.objectContaining({ proxy: NODE.id, type: 'cds', nonce: bad.nonce, version: first.versionInfo, message: 'cluster a: invalid' }),
    ]);
    const rejects = await h!.metrics.registry.getSingleMetric('pilot_total_xds_rejects')!.get();
    expect(rejects.values).toEqual([expect.objectContaining({ value: 1, labels: { type: 'cds' } })]);
    const warn = lines.find((l) => l['msg'] === 'NACK: proxy rejected config');
    expect(warn).toMatchObject({ level: 40, proxy: NODE.id, type: 'cds', nonce: bad.nonce, message: 'cluster a: invalid' });
    // The model did not change: a recompute of the same content sends nothing (no NACK loop).
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, 'bad')), { kind: 'full' });
    await c.expectNothing();
  });

  it('sends the next change of the model after a NACK', async () => {
    await setup(WORLD);
    const c = client();
    const first = await subscribe(c, TYPE.CDS);
    await ackAndWait(c, first);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, 'bad')), { kind: 'full' });
    const bad = await c.next();
    c.nack(bad, first.versionInfo, 'nope');
    await c.expectNothing();
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, 'fixed')), { kind: 'full' });
    const fixed = await c.next();
    expect(fixed.nonce).not.toBe(bad.nonce);
    expect(fixed.names.sort()).toEqual([CA, CB]);
  });
});

describe('6. stale nonce', () => {
  it('sends nothing for a request answering an older response', async () => {
    await setup(WORLD);
    const c = client();
    const r1 = await subscribe(c, TYPE.EDS, [CA]);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.ClusterLoadAssignment, CA, '2')), { kind: 'full' });
    const r2 = await c.next();
    // A late request carrying r1's nonce, even one that names more, is stale.
    c.send({ typeUrl: TYPE.EDS, responseNonce: r1.nonce, versionInfo: r1.versionInfo, resourceNames: [CA, CB] });
    await c.expectNothing();
    c.ack(r2);
    await c.expectNothing();
  });

  it('answers a reconnecting client whose nonce we never sent', async () => {
    await setup(WORLD);
    const c = client();
    c.send({ node: NODE, typeUrl: TYPE.EDS, resourceNames: [CA], responseNonce: 'from-another-istiod', versionInfo: 'old' });
    const r = await c.next();
    expect(r.names).toEqual([CA]);
  });
});

describe('7. respond only when something changed', () => {
  it('sends nothing when a full push recomputes identical content', async () => {
    await setup(WORLD);
    const c = client();
    for (const [t, names] of [[TYPE.CDS, []], [TYPE.EDS, [CA, CB]], [TYPE.LDS, []], [TYPE.RDS, ['80']]] as const) {
      await ackAndWait(c, await subscribe(c, t, [...names]), [...names]);
    }
    await c.expectNothing(100);
    await h!.server.push(fakePush(structuredClone(WORLD)), { kind: 'full' });
    await c.expectNothing();
  });
});

describe('8. subscriptions', () => {
  it('treats an empty first request as the legacy wildcard (all resources)', async () => {
    await setup(WORLD);
    const c = client();
    const r = await subscribe(c, TYPE.EDS, []);
    expect(r.names.sort()).toEqual([CA, CB]);
  });

  it('"*" plus names means wildcard plus those names', async () => {
    await setup(WORLD);
    const c = client();
    const r = await subscribe(c, TYPE.RDS, ['*', '80']);
    expect(r.names.sort()).toEqual(['80', '9080']);
  });

  it('ignores the same names in another order', async () => {
    await setup(WORLD);
    const c = client();
    const r = await subscribe(c, TYPE.EDS, [CA, CB]);
    c.ack(r, [CB, CA]);
    await c.expectNothing();
  });

  it('sends a newly requested name even if it was sent before', async () => {
    await setup(WORLD);
    const c = client();
    // Under "*" the server sent every route and still holds their hashes: naming one is a
    // new request for it, answered with it although its bytes did not change.
    const r1 = await subscribe(c, TYPE.RDS, ['*']);
    expect(r1.names.sort()).toEqual(['80', '9080']);
    c.ack(r1, ['80']);
    const r2 = await c.next();
    expect(r2.names).toEqual(['80']);
  });

  it('remembers a requested name that does not exist and sends it when it appears', async () => {
    await setup(WORLD);
    const c = client();
    const r1 = await subscribe(c, TYPE.RDS, ['80', '7070']);
    expect(r1.names).toEqual(['80']);
    await ackAndWait(c, r1, ['80', '7070']);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.RouteConfiguration, '7070', '1')), { kind: 'full' });
    const r2 = await c.next();
    expect(r2.names).toEqual(['7070']);
  });
});

describe('9. complete sets for LDS/CDS, subscribed names for RDS/EDS', () => {
  it('LDS carries every listener when one changes, and omits a deleted one', async () => {
    await setup(WORLD);
    const c = client();
    const r1 = await subscribe(c, TYPE.LDS);
    await ackAndWait(c, r1);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Listener, 'virtualOutbound', '2')), { kind: 'full' });
    const r2 = await c.next();
    expect(r2.names.sort()).toEqual(['0.0.0.0_80', 'virtualOutbound']);
    await ackAndWait(c, r2);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Listener, 'virtualOutbound', undefined)), { kind: 'full' });
    const r3 = await c.next();
    expect(r3.names).toEqual(['0.0.0.0_80']);
  });

  it('LDS subscribed by name (a gRPC client) carries exactly the named listeners that exist', async () => {
    await setup(WORLD);
    const c = client();
    const r1 = await subscribe(c, TYPE.LDS, ['0.0.0.0_80', 'missing:80']);
    expect(r1.names).toEqual(['0.0.0.0_80']);
    await ackAndWait(c, r1, ['0.0.0.0_80', 'missing:80']);
    // A change to a listener it did not name is not its business.
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Listener, 'virtualOutbound', '2')), { kind: 'full' });
    await c.expectNothing(300);
    // The named listener changing sends the complete subscribed set again.
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Listener, '0.0.0.0_80', '2')), { kind: 'full' });
    expect((await c.next()).names).toEqual(['0.0.0.0_80']);
  });

  it('RDS carries only subscribed names, and only the changed ones on a push', async () => {
    const world = withTag(WORLD, TypeUrl.RouteConfiguration, '8080', '1');
    await setup(world);
    const c = client();
    const r1 = await subscribe(c, TYPE.RDS, ['80', '9080']);
    expect(r1.names.sort()).toEqual(['80', '9080']);
    await ackAndWait(c, r1, ['80', '9080']);
    let next = withTag(world, TypeUrl.RouteConfiguration, '8080', '2'); // not subscribed
    next = withTag(next, TypeUrl.RouteConfiguration, '9080', '2');
    await h!.server.push(fakePush(next), { kind: 'full' });
    const r2 = await c.next();
    expect(r2.names).toEqual(['9080']);
  });
});

describe('10. push order and EDS after CDS', () => {
  it('pushes CDS, EDS, LDS, RDS for one change', async () => {
    await setup(WORLD);
    const c = client();
    // Subscribe in the "wrong" order on purpose.
    for (const [t, names] of [[TYPE.RDS, ['80']], [TYPE.LDS, []], [TYPE.EDS, [CA, CB]]] as const) {
      await ackAndWait(c, await subscribe(c, t, [...names]), [...names]);
    }
    // CDS last: its answer is followed by EDS for its clusters (they warm until EDS comes).
    const cds = await subscribe(c, TYPE.CDS);
    const eds = await c.next();
    expect(eds).toMatchObject({ typeUrl: TYPE.EDS, names: [CA, CB] });
    await ackAndWait(c, cds);
    await ackAndWait(c, eds, [CA, CB]);
    await c.expectNothing(100);
    let w = withTag(WORLD, TypeUrl.Cluster, CA, '2');
    w = withTag(w, TypeUrl.ClusterLoadAssignment, CB, '2');
    w = withTag(w, TypeUrl.Listener, 'virtualOutbound', '2');
    w = withTag(w, TypeUrl.RouteConfiguration, '80', '2');
    await h!.server.push(fakePush(w), { kind: 'full' });
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await c.next()).typeUrl);
    expect(order).toEqual([TYPE.CDS, TYPE.EDS, TYPE.LDS, TYPE.RDS]);
  });

  it('re-sends EDS for the clusters of a CDS push even when endpoints did not change', async () => {
    await setup(WORLD);
    const c = client();
    const cds = await subscribe(c, TYPE.CDS);
    c.ack(cds);
    const eds = await subscribe(c, TYPE.EDS, [CA, CB]);
    await ackAndWait(c, eds, [CA, CB]);
    await h!.server.push(fakePush(withTag(WORLD, TypeUrl.Cluster, CA, '2')), { kind: 'full' });
    const r1 = await c.next();
    expect(r1.typeUrl).toBe(TYPE.CDS);
    const r2 = await c.next();
    expect(r2.typeUrl).toBe(TYPE.EDS);
    expect(r2.names.sort()).toEqual([CA, CB]);
  });
});
