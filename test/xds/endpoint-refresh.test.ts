// An endpoint-only (EDS) push also recomputes CDS and LDS, which read endpoints: DNS
// ServiceEntry clusters inline them, a sidecar's inbound listeners follow its own pod.
// Only what changed is sent; a proxy whose CDS/LDS did not change hears nothing more.
import { afterEach, describe, expect, it } from 'vitest';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';
import type { RawResponse } from '../support/raw-xds-client.js';
import { fakePush, startServer } from './fakes.js';
import type { FakePush, Harness, World } from './fakes.js';
import { EMPTY_LOCALITY } from '../../src/model/service.js';
import type { Endpoint, Resolution, Service } from '../../src/model/service.js';
import { TypeUrl } from '../../src/translate/api.js';
import { parseProxy } from '../../src/translate/proxy.js';
import { endpointRefresh } from '../../src/xds/endpoint-refresh.js';

const EA = 'outbound|80||a.default.svc.cluster.local';
const DNS = 'outbound|443||api.example.com';
const WORLD: World = {
  [TypeUrl.Cluster]: { [EA]: '1', [DNS]: 'dns-1' },
  [TypeUrl.ClusterLoadAssignment]: { [EA]: '1' },
  [TypeUrl.Listener]: { virtualInbound: 'pod-ip-1', virtualOutbound: '1' },
};

let h: Harness | undefined;
const clients: RawXdsClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.cancel();
  await h?.server.close();
  h = undefined;
});
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
/** A client watching CDS, EDS (EA) and LDS, everything ACKed. */
async function settled(pod: string): Promise<RawXdsClient> {
  const c = new RawXdsClient(h!.port);
  clients.push(c);
  const ackAll = async (): Promise<void> => {
    const r: RawResponse = await c.next();
    c.ack(r);
  };
  c.send({ node: RawXdsClient.sidecarNode(pod), typeUrl: TYPE.CDS });
  await ackAll();
  c.send({ typeUrl: TYPE.EDS, resourceNames: [EA] });
  await ackAll();
  c.send({ typeUrl: TYPE.LDS });
  await ackAll();
  await until(() => h!.server.connections().some((x) => x.types.length === 3 && x.types.every((t) => t.nonceAcked === t.nonceSent)), 'ACKs');
  return c;
}

describe('an EDS-only push', () => {
  it('sends CDS and LDS that changed with the endpoints, then the EDS of the clusters sent', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = await settled('inbound');
    const moved: World = {
      ...WORLD,
      [TypeUrl.Cluster]: { [EA]: '1', [DNS]: 'dns-2' },
      [TypeUrl.Listener]: { virtualInbound: 'pod-ip-2', virtualOutbound: '1' },
    };
    await h.server.push(fakePush(moved), { kind: 'eds', clusters: new Set([EA]) });
    const cds = await c.next();
    expect(cds.typeUrl).toBe(TYPE.CDS);
    expect(cds.names.sort()).toEqual([EA, DNS].sort());
    // Envoy warms the clusters of a CDS response until their EDS arrives.
    expect(await c.next()).toMatchObject({ typeUrl: TYPE.EDS, names: [EA] });
    const lds = await c.next();
    expect(lds.typeUrl).toBe(TYPE.LDS);
    expect(lds.names.sort()).toEqual(['virtualInbound', 'virtualOutbound']);
    await c.expectNothing(100);
  });

  it('sends nothing more when CDS and LDS did not change', async () => {
    h = await startServer();
    await h.server.push(fakePush(WORLD), { kind: 'full' });
    const c = await settled('quiet');
    const eps: World = { ...WORLD, [TypeUrl.ClusterLoadAssignment]: { [EA]: '2' } };
    await h.server.push(fakePush(eps), { kind: 'eds', clusters: new Set([EA]) });
    expect(await c.next()).toMatchObject({ typeUrl: TYPE.EDS, names: [EA] });
    await c.expectNothing(150);
  });
});

const HOST = 'a.default.svc.cluster.local';
const EXT = 'api.example.com';
const svc = (hostname: string, resolution: Resolution): Service =>
  ({ hostname, name: hostname.split('.')[0]!, namespace: 'default', addresses: [], ports: [], labels: {}, resolution, location: 'MESH_INTERNAL', exportTo: ['*'], origin: 'kubernetes' }) as Service;
const ep = (address: string): Endpoint => ({ address, port: 8080, servicePortName: 'http', labels: {}, locality: EMPTY_LOCALITY, weight: 1, healthy: true });
function model(world: World, endpoints: Record<string, string[]>): FakePush {
  const p = fakePush(world);
  const services = [svc(HOST, 'STATIC'), svc(EXT, 'DNS')];
  return {
    ...p,
    services,
    serviceByHost: new Map(services.map((s) => [s.hostname, s])),
    endpointsByHost: new Map(Object.entries(endpoints).map(([h, ips]) => [h, ips.map(ep)])),
  };
}
const sidecar = (ip: string, pod: string) => parseProxy({ id: `sidecar~${ip}~${pod}.default~default.svc.cluster.local` });

describe('which proxies an endpoint change reaches (endpoint-refresh.ts)', () => {
  it('an EDS host: the proxies whose IP was or is among its endpoints; a DNS host: all; none: none', () => {
    const before = model(WORLD, { [HOST]: ['10.0.0.1'], [EXT]: ['1.2.3.4'] });
    const after = model(WORLD, { [HOST]: ['10.0.0.2'], [EXT]: ['1.2.3.5'] });
    const reaches = endpointRefresh(before, after, new Set([HOST]));
    expect([reaches(sidecar('10.0.0.1', 'old')), reaches(sidecar('10.0.0.2', 'new')), reaches(sidecar('10.0.0.3', 'other'))]).toEqual([true, true, false]);
    expect(endpointRefresh(before, after, new Set([EXT]))(sidecar('10.0.0.3', 'other'))).toBe(true);
    expect(endpointRefresh(before, after, new Set())(sidecar('10.0.0.1', 'old'))).toBe(false);
    expect(endpointRefresh(before, after, undefined)(sidecar('10.0.0.3', 'other'))).toBe(true);
  });

  it('leaves the CDS/LDS of proxies it does not reach alone, and refreshes the pod whose endpoint moved', async () => {
    h = await startServer();
    await h.server.push(model(WORLD, { [HOST]: ['10.0.0.8'] }), { kind: 'full' });
    const far = await settled('far'); // sidecarNode's IP (10.0.0.1) is not among HOST's endpoints
    const cds = h.generators[TypeUrl.Cluster].calls.length;
    const next = model({ ...WORLD, [TypeUrl.ClusterLoadAssignment]: { [EA]: '2' } }, { [HOST]: ['10.0.0.9'] });
    await h.server.push(next, { kind: 'eds', clusters: new Set([EA]), hosts: new Set([HOST]) });
    expect(await far.next()).toMatchObject({ typeUrl: TYPE.EDS, names: [EA] });
    await far.expectNothing(100);
    expect(h.generators[TypeUrl.Cluster].calls.length).toBe(cds);
    // The pod itself (its IP now among HOST's endpoints) gets its inbound side recomputed.
    const ip = RawXdsClient.sidecarNode('far').id.split('~')[1]!;
    const mine = model({ ...WORLD, [TypeUrl.Listener]: { virtualInbound: 'pod-ip-2', virtualOutbound: '1' } }, { [HOST]: [ip] });
    await h.server.push(mine, { kind: 'eds', clusters: new Set(), hosts: new Set([HOST]) });
    expect(await far.next()).toMatchObject({ typeUrl: TYPE.LDS });
  });
});
