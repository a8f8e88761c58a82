// Failures inside the push machinery: a throwing scope check or push is logged and counted
// (not swallowed), a failed answer to a request is retried by the next push, and a client
// that stops reading gives its push slot back after a time limit.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import type { RawResponse } from '../support/raw-xds-client.js';
import { fakeGenerators, fakePush, recordingLogger, startServer } from './fakes.js';
import type { Harness, World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';
import { Metrics } from '../../src/metrics.js';
import * as scope from '../../src/translate/scope.js';
import { XdsServer } from '../../src/xds/xds-server.js';
import { XdsStream } from '../../src/xds/stream.js';

const CA = 'outbound|80||a.default.svc.cluster.local';
const CB = 'outbound|80||b.default.svc.cluster.local';
const WORLD: World = {
  [TypeUrl.Cluster]: { [CA]: '1', [CB]: '1' },
  [TypeUrl.ClusterLoadAssignment]: { [CA]: '1', [CB]: '1' },
};
const changedCds = (tag: string): World => ({ ...WORLD, [TypeUrl.Cluster]: { [CA]: tag, [CB]: '1' } });
const VS = [{ kind: 'Service' as const, namespace: 'default', name: 'a' }];

let h: Harness | undefined;
let extra: XdsServer | undefined;
const clients: RawXdsClient[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) c.cancel();
  await h?.server.close();
  await extra?.close();
  h = undefined;
  extra = undefined;
});
function open(port: number): RawXdsClient {
  const c = new RawXdsClient(port);
  clients.push(c);
  return c;
}
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
/** A CDS watcher with its first response ACKed (and the ACK recorded). */
async function cdsClient(server: XdsServer, port: number, pod: string): Promise<RawXdsClient> {
  const c = open(port);
  c.send({ node: RawXdsClient.sidecarNode(pod), typeUrl: TYPE.CDS });
  const r: RawResponse = await c.next();
  c.ack(r);
  await until(() => server.connections().some((x) => x.types.some((t) => t.nonceAcked === r.nonce)), 'ACK');
  return c;
}

describe('errors inside a queued push', () => {
  it('a throwing affectsProxy is logged, counted, and taken as "affected"', async () => {
    const { logger, lines } = recordingLogger();
    h = await startServer(logger);
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = await cdsClient(h.server, h.port, 'p1');
    vi.spyOn(scope, 'affectsProxy').mockImplementation(() => {
      throw new Error('scope bug');
    });
    await h.server.push(fakePush(changedCds('2')), { kind: 'full', changed: VS });
    expect((await c.next()).names).toContain(CA);
    expect(h.server.pushQueueStats().errors).toBe(1);
    expect(lines.find((l) => String(l['msg']).startsWith('affectsProxy failed'))).toMatchObject({ level: 50, proxy: expect.stringContaining('p1') });
  });

  it('a push that throws is logged and counted, and the queue goes on', async () => {
    const { logger, lines } = recordingLogger();
    h = await startServer(logger);
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = await cdsClient(h.server, h.port, 'p2');
    const spy = vi.spyOn(XdsStream.prototype, 'pushTo').mockImplementationOnce(() => {
      throw new Error('push bug');
    });
    await h.server.push(fakePush(changedCds('2')), { kind: 'full' });
    expect(h.server.pushQueueStats().errors).toBe(1);
    expect(lines.find((l) => l['msg'] === 'queued push failed')).toMatchObject({ level: 50, proxy: expect.stringContaining('p2') });
    spy.mockRestore();
    await h.server.push(fakePush(changedCds('3')), { kind: 'full' });
    expect((await c.next()).names).toContain(CA);
  });
});

describe('a failed answer to a request', () => {
  it('is retried by the next push, even an EDS push of other clusters', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const eds = h.generators[TypeUrl.ClusterLoadAssignment];
    const generate = eds.generate.bind(eds);
    eds.generate = () => {
      throw new Error('generator bug');
    };
    const c = open(h.port);
    c.send({ node: RawXdsClient.sidecarNode('warming'), typeUrl: TYPE.EDS, resourceNames: [CA] });
    await c.expectNothing(150);
    eds.generate = generate;
    await h.server.push(fakePush(WORLD), { kind: 'eds', clusters: new Set([CB]) });
    expect((await c.next()).names).toEqual([CA]);
  });
});

describe('a client that stops reading', () => {
  it('gives its push slot back after the drain time limit, with a warning naming it', async () => {
    const { logger, lines } = recordingLogger();
    extra = new XdsServer({ logger, metrics: new Metrics({ processDefaults: false }), generators: fakeGenerators(), pushThrottle: 1, drainTimeoutMs: 100 });
    const port = await extra.listen('127.0.0.1:0');
    await extra.push(fakePush(WORLD), { kind: 'full' });
    const a = await cdsClient(extra, port, 'stuck');
    const b = await cdsClient(extra, port, 'other');
    // Every write now looks unflushed and no 'drain' ever comes: a reader that stopped.
    const pushTo = XdsStream.prototype.pushTo;
    vi.spyOn(XdsStream.prototype, 'pushTo').mockImplementation(function (this: XdsStream<unknown, unknown>, req, push) {
      pushTo.call(this, req, push);
      (this as unknown as { needDrain: boolean }).needDrain = true;
    });
    const start = Date.now();
    await extra.push(fakePush(changedCds('2')), { kind: 'full' });
    expect(Date.now() - start).toBeLessThan(2000);
    expect((await a.next()).names).toContain(CA);
    expect((await b.next()).names).toContain(CA);
    const warns = lines.filter((l) => String(l['msg']).includes('not reading'));
    expect(warns.map((l) => l['proxy'])).toEqual(expect.arrayContaining([expect.stringContaining('stuck'), expect.stringContaining('other')]));
  });
});
