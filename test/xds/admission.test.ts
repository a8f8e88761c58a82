// Admission of new streams by initial config in flight (admission.ts): the gate itself, the
// "holds full config" test it waits for, and the server holding a stream back until an
// earlier one settled.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import { fakeGenerators, fakePush, silentLogger } from './fakes.js';
import type { World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';
import { Metrics } from '../../src/metrics.js';
import { StreamAdmission } from '../../src/xds/admission.js';
import type { AdmissionSlot } from '../../src/xds/admission.js';
import { Connection } from '../../src/xds/connection.js';
import { parseProxy } from '../../src/translate/proxy.js';
import { XdsServer } from '../../src/xds/xds-server.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('StreamAdmission', () => {
  it('admits up to the limit, then in arrival order as slots are released', async () => {
    const gate = new StreamAdmission(2, 60_000);
    const a = await gate.enter().slot;
    const b = await gate.enter().slot;
    const order: string[] = [];
    const c = gate.enter().slot.then((s) => (order.push('c'), s));
    const d = gate.enter().slot.then((s) => (order.push('d'), s));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(gate.stats()).toEqual({ initializing: 2, waiting: 2, timedOut: 0 });
    a!.release();
    a!.release(); // idempotent: frees one slot only
    const cs = await c;
    expect(order).toEqual(['c']);
    expect(gate.stats()).toMatchObject({ initializing: 2, waiting: 1 });
    b!.release();
    await d;
    expect(order).toEqual(['c', 'd']);
    expect(cs!.held).toBe(true);
  });

  it('a cancelled waiter leaves the line and takes no slot', async () => {
    const gate = new StreamAdmission(1, 60_000);
    const first = await gate.enter().slot;
    const gone = gate.enter();
    const next = gate.enter();
    gone.cancel();
    expect(await gone.slot).toBeUndefined();
    first!.release();
    expect(await next.slot).toBeDefined();
    expect(gate.stats()).toMatchObject({ initializing: 1, waiting: 0 });
  });

  it('0 admits everyone at once', async () => {
    const gate = new StreamAdmission(0, 60_000);
    const slots = await Promise.all(Array.from({ length: 50 }, () => gate.enter().slot));
    expect(slots.every((s) => s?.held)).toBe(true);
    expect(gate.stats()).toMatchObject({ initializing: 50, waiting: 0 });
  });

  it('a slot held past the hold time is released and counted, so the line moves on', async () => {
    vi.useFakeTimers();
    let told = 0;
    const gate = new StreamAdmission(1, 5000, () => (told += 1));
    const stuck = (await gate.enter().slot) as AdmissionSlot;
    let next: AdmissionSlot | undefined;
    void gate.enter().slot.then((s) => (next = s));
    await vi.advanceTimersByTimeAsync(4999);
    expect(next).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(next?.held).toBe(true);
    expect(stuck.held).toBe(false);
    expect(told).toBe(1);
    expect(gate.stats()).toMatchObject({ initializing: 1, waiting: 0, timedOut: 1 });
  });

  it('clear() turns every waiter away', async () => {
    const gate = new StreamAdmission(1, 60_000);
    await gate.enter().slot;
    const w = gate.enter();
    gate.clear();
    expect(await w.slot).toBeUndefined();
    expect(gate.stats().waiting).toBe(0);
  });
});

describe('Connection.holdsFullConfig', () => {
  const sub = { wildcard: true, names: new Set<string>(), legacyWildcard: true };
  const conn = (): Connection => new Connection('c-1', parseProxy({ id: 'sidecar~10.0.0.1~a.default~default.svc.cluster.local' }), 'peer');

  it('needs LDS and CDS asked for and every response answered', () => {
    const c = conn();
    const cds = c.watch(TypeUrl.Cluster, sub);
    cds.nonceSent = 'n1';
    expect(c.holdsFullConfig()).toBe(false); // no LDS yet
    const lds = c.watch(TypeUrl.Listener, sub);
    lds.nonceSent = 'n2';
    cds.nonceAcked = 'n1';
    expect(c.holdsFullConfig()).toBe(false); // LDS unanswered
    lds.nonceAcked = 'n2';
    expect(c.holdsFullConfig()).toBe(true);
    const eds = c.watch(TypeUrl.ClusterLoadAssignment, { wildcard: false, names: new Set(['x']), legacyWildcard: false });
    eds.awaitingResponse = true;
    expect(c.holdsFullConfig()).toBe(false); // a request waits for its answer
    eds.awaitingResponse = false;
    eds.nonceSent = 'n3';
    expect(c.holdsFullConfig()).toBe(false);
    eds.lastNack = { nonce: 'n3', version: '', message: 'bad', time: new Date() };
    expect(c.holdsFullConfig()).toBe(true); // a NACK answers too
  });

  it('a delta client that already holds everything is sent nothing and is settled', () => {
    const c = conn();
    c.watch(TypeUrl.Cluster, sub);
    c.watch(TypeUrl.Listener, sub);
    expect(c.holdsFullConfig()).toBe(true);
  });
});

describe('admission on the server', () => {
  const WORLD: World = {
    [TypeUrl.Cluster]: { 'outbound|80||a.default.svc.cluster.local': '1' },
    [TypeUrl.Listener]: { virtualOutbound: '1' },
  };
  let server: XdsServer | undefined;
  const clients: RawXdsClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.cancel();
    await server?.close();
    server = undefined;
  });

  it('holds a new stream back, unanswered, until the one before it holds its full config', async () => {
    server = new XdsServer({ logger: silentLogger, metrics: new Metrics({ processDefaults: false }), generators: fakeGenerators(), maxInitializingStreams: 1 });
    const port = await server.listen('127.0.0.1:0');
    await server.push(fakePush(WORLD), { kind: 'full' });
    const first = new RawXdsClient(port);
    const second = new RawXdsClient(port);
    clients.push(first, second);
    first.send({ node: RawXdsClient.sidecarNode('first'), typeUrl: TYPE.CDS });
    first.send({ typeUrl: TYPE.LDS });
    const cds = await first.next();
    const lds = await first.next();
    second.send({ node: RawXdsClient.sidecarNode('second'), typeUrl: TYPE.CDS });
    second.send({ typeUrl: TYPE.LDS });
    await second.expectNothing(300);
    expect(server.admissionStats()).toMatchObject({ initializing: 1, waiting: 1 });
    first.ack(cds);
    await second.expectNothing(200); // LDS not ACKed yet
    first.ack(lds);
    const got = [await second.next(), await second.next()].map((r) => r.typeUrl).sort();
    expect(got).toEqual([TYPE.CDS, TYPE.LDS].sort());
    expect(server.admissionStats()).toMatchObject({ initializing: 1, waiting: 0 });
  });

  it('a waiting stream that goes away gives up its place; a closed stream frees its slot', async () => {
    server = new XdsServer({ logger: silentLogger, metrics: new Metrics({ processDefaults: false }), generators: fakeGenerators(), maxInitializingStreams: 1 });
    const port = await server.listen('127.0.0.1:0');
    await server.push(fakePush(WORLD), { kind: 'full' });
    const first = new RawXdsClient(port);
    const quitter = new RawXdsClient(port);
    const third = new RawXdsClient(port);
    clients.push(first, quitter, third);
    first.send({ node: RawXdsClient.sidecarNode('first'), typeUrl: TYPE.CDS });
    await first.next();
    quitter.send({ node: RawXdsClient.sidecarNode('quitter'), typeUrl: TYPE.CDS });
    third.send({ node: RawXdsClient.sidecarNode('third'), typeUrl: TYPE.CDS });
    await vi.waitFor(() => expect(server!.admissionStats().waiting).toBe(2));
    quitter.cancel();
    await vi.waitFor(() => expect(server!.admissionStats().waiting).toBe(1));
    first.cancel(); // never settled: closing frees the slot
    expect((await third.next()).typeUrl).toBe(TYPE.CDS);
    expect(server.admissionStats()).toMatchObject({ initializing: 1, waiting: 0 });
  });
});
