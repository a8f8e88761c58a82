// One encoded block of resources, framed for many streams in one push (wire.ts
// ResourcesBlock.frame writes each response's version, type and nonce into room in front of
// the shared bytes). This checks the view is taken by grpc-js before the next stream's frame
// overwrites the room: every client must get its own nonce on intact resources.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import type { RawResponse } from '../support/raw-xds-client.js';
import { fakeGenerators, fakePush, silentLogger } from './fakes.js';
import type { World } from './fakes.js';
import { TypeUrl } from '../../src/translate/api.js';
import { Metrics } from '../../src/metrics.js';
import { ResourcesBlock } from '../../src/xds/wire.js';
import { XdsServer } from '../../src/xds/xds-server.js';

const CLIENTS = 40;

function world(version: string): World {
  const clusters: Record<string, string> = {};
  for (let i = 0; i < 200; i++) clusters[`outbound|80||svc-${i}.default.svc.cluster.local`] = version;
  return { [TypeUrl.Cluster]: clusters };
}

function expectIntact(responses: RawResponse[], version: string): void {
  const nonces = new Set(responses.map((r) => r.nonce));
  expect(nonces.size).toBe(responses.length);
  const reference = Buffer.concat(responses[0]!.resources.map((r) => r.value));
  for (const r of responses) {
    expect(r.versionInfo).toBe(version);
    expect(r.typeUrl).toBe(TYPE.CDS);
    expect(r.names).toHaveLength(200);
    expect(Buffer.concat(r.resources.map((x) => x.value)).equals(reference)).toBe(true);
  }
}

describe('a shared resources block framed for many streams', () => {
  let server: XdsServer | undefined;
  const clients: RawXdsClient[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of clients.splice(0)) c.cancel();
    await server?.close();
    server = undefined;
  });

  it('gives every stream its own nonce on the same bytes, at connect and on a push', async () => {
    server = new XdsServer({ logger: silentLogger, metrics: new Metrics({ processDefaults: false }), generators: fakeGenerators(), maxInitializingStreams: 0 });
    const port = await server.listen('127.0.0.1:0');
    await server.push(fakePush(world('1'), 'p1'), { kind: 'full' });
    for (let i = 0; i < CLIENTS; i++) clients.push(new RawXdsClient(port));
    for (const [i, c] of clients.entries()) c.send({ node: RawXdsClient.sidecarNode(`app-${i}`), typeUrl: TYPE.CDS });
    const first = await Promise.all(clients.map((c) => c.next()));
    expectIntact(first, 'p1');
    clients.forEach((c, i) => c.ack(first[i]!));

    // One push: the server builds the block once and frames it for all streams in one loop.
    const built = vi.spyOn(ResourcesBlock, 'of');
    await server.push(fakePush(world('2'), 'p2'), { kind: 'full' });
    const pushed = await Promise.all(clients.map((c) => c.next()));
    expect(built).toHaveBeenCalledTimes(1);
    expectIntact(pushed, 'p2');
    expect(pushed.map((r) => r.nonce).some((n) => first.some((f) => f.nonce === n))).toBe(false);
  });
});
