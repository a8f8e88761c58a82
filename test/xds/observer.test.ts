// The server's observer events: what the debug API and the UI's timeline are built on.
import { afterEach, describe, expect, it } from 'vitest';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import { fakePush, startServer, type Harness } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';
import type { XdsEvent } from '../../src/xds/observer.js';

let h: Harness | undefined;
let c: RawXdsClient | undefined;
afterEach(async () => {
  c?.cancel();
  await h?.server.close();
});

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in 2 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('XdsServer observers', () => {
  it('reports connect, request, send, ack, nack and disconnect in order', async () => {
    h = await startServer();
    const events: XdsEvent[] = [];
    h.server.observe((e) => events.push(e));
    await h.server.push(fakePush({ [TypeUrl.Cluster]: { a: '1' } }), { kind: 'full' });
    c = new RawXdsClient(h.port);
    c.send({ node: RawXdsClient.sidecarNode(), typeUrl: TYPE.CDS, resourceNames: [] });
    const r1 = await c.next();
    c.ack(r1);
    await until(() => events.some((e) => e.kind === 'ack'));
    await h.server.push(fakePush({ [TypeUrl.Cluster]: { a: '2' } }), { kind: 'full' });
    const r2 = await c.next();
    c.nack(r2, r1.versionInfo, 'bad cluster');
    await until(() => events.some((e) => e.kind === 'nack'));
    c.cancel();
    await until(() => events.some((e) => e.kind === 'disconnect'));

    const kinds = events.map((e) => e.kind);
    expect(kinds).toEqual(['connect', 'request', 'send', 'request', 'ack', 'send', 'request', 'nack', 'disconnect']);
    const send = events[2] as Extract<XdsEvent, { kind: 'send' }>;
    expect(send).toMatchObject({ typeUrl: TYPE.CDS, names: ['a'], nonce: r1.nonce, version: r1.versionInfo });
    expect(send.bytes).toBeGreaterThan(0);
    expect(events[7]).toMatchObject({ kind: 'nack', message: 'bad cluster', nonce: r2.nonce, version: r1.versionInfo });
    expect(new Set(events.map((e) => e.conn)).size).toBe(1);
  });

  it('keeps serving when an observer throws', async () => {
    h = await startServer();
    h.server.observe(() => {
      throw new Error('observer bug');
    });
    await h.server.push(fakePush({ [TypeUrl.Cluster]: { a: '1' } }), { kind: 'full' });
    c = new RawXdsClient(h.port);
    c.send({ node: RawXdsClient.sidecarNode(), typeUrl: TYPE.CDS, resourceNames: [] });
    expect((await c.next()).names).toEqual(['a']);
  });
});
