// Review findings on the stream layer, each over a real gRPC stream: a NACK that changes
// the subscription, a failed plan while a request waits for its answer.
import { afterEach, describe, expect, it } from 'vitest';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import type { RawResponse } from '../support/raw-xds-client.js';
import { RawDeltaClient } from '../support/raw-delta-client.js';
import { fakePush, startServer } from './fakes.js';
import type { Harness, World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';

const NODE = RawXdsClient.sidecarNode('review');
const CA = 'outbound|80||a.default.svc.cluster.local';
const CB = 'outbound|80||b.default.svc.cluster.local';
const WORLD: World = {
  [TypeUrl.Cluster]: { [CA]: '1', [CB]: '1' },
  [TypeUrl.ClusterLoadAssignment]: { [CA]: '1', [CB]: '1' },
  [TypeUrl.RouteConfiguration]: { '80': '1', '9080': '1' },
};
const withEds = (tag: string): World => ({ ...WORLD, [TypeUrl.ClusterLoadAssignment]: { [CA]: tag, [CB]: '1' } });

let h: Harness | undefined;
const clients: { cancel(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.cancel();
  await h?.server.close();
  h = undefined;
});
function sotw(): RawXdsClient {
  const c = new RawXdsClient(h!.port);
  clients.push(c);
  return c;
}
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const acked = (r: RawResponse) => (): boolean =>
  h!.server.connections().some((x) => x.types.some((t) => t.typeUrl === r.typeUrl && t.nonceAcked === r.nonce));

describe('a NACK that also changes resource_names', () => {
  it('SotW: answers the added name only, never the rejected content', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = sotw();
    c.send({ node: NODE, typeUrl: TYPE.EDS, resourceNames: [CA] });
    const first = await c.next();
    c.ack(first, [CA]);
    await until(acked(first), 'ACK');
    await h.server.push(fakePush(withEds('bad')), { kind: 'full' });
    const bad = await c.next();
    expect(bad.names).toEqual([CA]);
    c.nack(bad, first.versionInfo, 'bad endpoints', [CA, CB]);
    const r = await c.next();
    expect(r.names).toEqual([CB]);
    await c.expectNothing(150);
    expect(h.server.nackHistory()).toHaveLength(1);
    expect(h.server.connections()[0]!.types[0]!.names).toEqual([CA, CB]);
  });

  it('SotW: a NACK of an older response keeps the subscription (it is stale)', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = sotw();
    c.send({ node: NODE, typeUrl: TYPE.EDS, resourceNames: [CA] });
    const first = await c.next();
    await h.server.push(fakePush(withEds('2')), { kind: 'full' });
    await c.next();
    c.nack(first, '', 'late', [CA, CB]);
    await c.expectNothing(150);
    expect(h.server.connections()[0]!.types[0]!.names).toEqual([CA]);
  });

  it('delta: a NACK carrying a subscribe answers the new name only', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = new RawDeltaClient(h.port);
    clients.push(c);
    c.send({ node: NODE, typeUrl: TYPE.EDS, subscribe: [CA] });
    const first = await c.next();
    c.ack(first);
    await h.server.push(fakePush(withEds('bad')), { kind: 'full' });
    const bad = await c.next();
    c.send({ typeUrl: TYPE.EDS, responseNonce: bad.nonce, errorDetail: { code: 3, message: 'bad' }, subscribe: [CB] });
    const r = await c.next();
    expect(r.names).toEqual([CB]);
    await c.expectNothing(150);
  });
});
