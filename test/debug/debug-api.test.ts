// The debug API against a live control plane with a raw ADS client connected: syncz moves
// NOT SENT → STALE → SYNCED on ACK and to ERROR on NACK; config_dump shows what the proxy
// subscribed; configz, push_status and connections answer in their documented shapes.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../src/cli/control-plane.js';
import { copyBookinfo } from '../cli/bookinfo-copy.js';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';

type ControlPlane = Awaited<ReturnType<typeof startControlPlane>>;
type Json = Record<string, any>;

const NODE = RawXdsClient.sidecarNode('productpage-v1', 'default', '127.0.0.10');
let dir: string;
let cp: ControlPlane;
let base: string;
let client: RawXdsClient;

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
}

async function syncRow(): Promise<Json> {
  const { body } = await get('/debug/syncz');
  const row = (body as Json[]).find((r) => r['proxy'] === NODE.id);
  if (!row) throw new Error('proxy not in syncz');
  return row;
}

beforeAll(async () => {
  dir = copyBookinfo('mini-istiod-debug-');
  cp = await startControlPlane({ configDir: dir, grpcAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', debounceAfterMs: 10 });
  base = `http://127.0.0.1:${cp.httpPort}`;
  client = new RawXdsClient(cp.grpcPort);
});

afterAll(async () => {
  client?.close();
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('debug API', () => {
  it('syncz: NOT SENT before a request, STALE until the ACK, SYNCED after, ERROR after a NACK', async () => {
    client.send({ node: NODE, typeUrl: TYPE.CDS });
    const cds = await client.next();
    let row = await syncRow();
    // Istio's SyncStatus fields come first, in Istio's order, hold nonces, and are left
    // out when empty (cluster_id stays empty while the snapshots lack node.cluster).
    const istio = ['cluster_id', 'proxy', 'proxy_type', 'istio_version', 'cluster_sent', 'cluster_acked'];
    expect(Object.keys(row).slice(0, 4).filter((k) => istio.includes(k))).toEqual(istio.filter((k) => k in row).slice(0, 4));
    expect(Object.keys(row).slice(-3)).toEqual(['connection_id', 'connected_at', 'xds']);
    expect(row['proxy_type']).toBe('sidecar');
    expect(row['cluster_sent']).toBe(cds.nonce);
    expect(row['cluster_acked']).toBeUndefined();
    expect(row['xds']['cds']).toMatchObject({ status: 'STALE', sent_version: cds.versionInfo, sent_nonce: cds.nonce, acked_nonce: null });
    expect(row['xds']['lds']).toMatchObject({ status: 'NOT SENT', sent_nonce: null });

    client.ack(cds);
    await new Promise((r) => setTimeout(r, 100));
    row = await syncRow();
    expect(row['cluster_acked']).toBe(cds.nonce);
    expect(row['xds']['cds']).toMatchObject({ status: 'SYNCED', acked_version: cds.versionInfo });

    client.send({ typeUrl: TYPE.LDS });
    const lds = await client.next();
    client.nack(lds, '', 'listener 0.0.0.0_9080: bad filter (on purpose)');
    await new Promise((r) => setTimeout(r, 100));
    row = await syncRow();
    expect(row['xds']['lds']).toMatchObject({
      status: 'ERROR',
      sent_nonce: lds.nonce,
      nack: { nonce: lds.nonce, version: '', message: 'listener 0.0.0.0_9080: bad filter (on purpose)' },
    });
    expect(row['xds']['cds']['status']).toBe('SYNCED');
  });

  it('config_dump: the connected proxy\'s clusters and listeners, only subscribed routes, 404 for strangers', async () => {
    client.send({ typeUrl: TYPE.RDS, resourceNames: ['9080'] });
    const rds = await client.next();
    client.ack(rds);
    await new Promise((r) => setTimeout(r, 50));
    const { status, body } = await get(`/debug/config_dump?proxyID=${encodeURIComponent(NODE.id)}`);
    expect(status).toBe(200);
    const [clusters, listeners, routes, endpoints] = body.configs as Json[];
    expect(clusters!['@type']).toBe('type.googleapis.com/envoy.admin.v3.ClustersConfigDump');
    expect(clusters!['dynamicActiveClusters'].map((c: Json) => c['cluster']['name'])).toContain('outbound|9080|v1|reviews.default.svc.cluster.local');
    expect(listeners!['dynamicListeners'].map((l: Json) => l['name'])).toEqual(expect.arrayContaining(['0.0.0.0_9080', 'virtualOutbound']));
    expect(routes!['dynamicRouteConfigs'].map((r: Json) => r['routeConfig']['name'])).toEqual(['9080']);
    expect(routes!['dynamicRouteConfigs'][0]['versionInfo']).toBe(rds.versionInfo);
    // EDS was never requested on this stream: the proxy holds none.
    expect(endpoints!['dynamicEndpointConfigs']).toEqual([]);

    // A pod name or unique prefix finds the proxy too.
    expect((await get('/debug/config_dump?proxyID=productpage-v1')).status).toBe(200);
    const unknown = await get('/debug/config_dump?proxyID=sidecar~1.2.3.4~nobody.default~default.svc.cluster.local');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'proxy "sidecar~1.2.3.4~nobody.default~default.svc.cluster.local" is not connected', matches: [] });
    expect((await get('/debug/config_dump')).status).toBe(400);
  });

  it('configz: every object with its origin, in kind/namespace/name order', async () => {
    const { body } = await get('/debug/configz');
    const vs = (body as Json[]).find((o) => o['kind'] === 'VirtualService' && o['metadata']['name'] === 'reviews');
    expect(vs).toMatchObject({ apiVersion: 'networking.istio.io/v1', origin: { source: 'file', location: 'virtual-service-reviews-test-v2.yaml', documentIndex: 0 } });
    expect(Object.keys(vs!)).toEqual(['kind', 'apiVersion', 'metadata', 'spec', 'origin']);
    const kinds = (body as Json[]).map((o) => o['kind'] as string);
    expect(kinds).toEqual([...kinds].sort());
    expect(kinds).toContain('Service');
    expect((await get('/debug/config_errors')).body).toEqual([]);
  });

  it('push_status: the last push and per-proxy convergence', async () => {
    const { body } = await get('/debug/push_status');
    expect(Object.keys(body)).toEqual(['version', 'kind', 'events', 'changed_hosts', 'eds_clusters', 'triggered_at', 'duration_ms', 'proxies', 'nacks']);
    expect(body.kind).toBe('full');
    expect(body.version).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z\/1$/);
    const mine = (body.proxies as Json[]).find((p) => p['proxy'] === NODE.id);
    // LDS was NACKed: the version never converged on this proxy.
    expect(mine).toMatchObject({ version: body.version, state: 'rejected' });
    expect(body.nacks).toEqual([expect.objectContaining({ proxy: NODE.id, type: 'lds' })]);
  });

  it('connections: the stream, its peer and its subscriptions', async () => {
    const { body } = await get('/debug/connections');
    const c = (body as Json[]).find((x) => x['proxy'] === NODE.id)!;
    expect(c.peer).toMatch(/127\.0\.0\.1/);
    expect(c.watches.map((w: Json) => [w['type'], w['wildcard'], w['status']])).toEqual([
      ['cds', true, 'SYNCED'],
      ['lds', true, 'ERROR'],
      ['rds', false, 'SYNCED'],
    ]);
    expect(c.watches[2].names).toEqual(['9080']);
  });
});
