// The pure pieces of the debug surface: the sync-state rule, proxy matching, the recorder's
// convergence bookkeeping, and per-type versions in config dumps.
import { describe, expect, it } from 'vitest';
import { buildConfigDump } from '../../src/debug/config-dump.js';
import { displayName, matchProxy } from '../../src/debug/proxy-info.js';
import { DebugRecorder } from '../../src/debug/recorder.js';
import { syncState } from '../../src/debug/sync-status.js';
import { TypeUrl } from '../../src/translate/api.js';
import { compareVersions } from '../../src/cli/proxy-status.js';
import { parseProxy } from '../../src/translate/proxy.js';

const A = 'sidecar~10.0.0.1~reviews-v1-abc.default~default.svc.cluster.local';
const B = 'sidecar~10.0.0.2~reviews-v2-def.default~default.svc.cluster.local';
const G = 'grpc-client-7';

describe('syncState', () => {
  it.each([
    [undefined, 'NOT SENT'],
    [{ nonceSent: null }, 'NOT SENT'],
    [{ nonceSent: 'n2', nonceAcked: 'n2' }, 'SYNCED'],
    [{ nonceSent: 'n2', nonceAcked: 'n1' }, 'STALE'],
    [{ nonceSent: 'n2', nonceAcked: 'n1', lastNack: { nonce: 'n2' } }, 'ERROR'],
    // A NACK of an older response no longer describes what the proxy holds.
    [{ nonceSent: 'n3', nonceAcked: 'n3', lastNack: { nonce: 'n2' } }, 'SYNCED'],
  ])('%j → %s', (input, want) => expect(syncState(input)).toBe(want));
});

describe('matchProxy', () => {
  const ids = [A, B, G];
  it('takes a full id, pod.namespace, a pod name or a unique prefix', () => {
    expect(matchProxy(A, ids)).toEqual({ id: A });
    expect(matchProxy('reviews-v1-abc.default', ids)).toEqual({ id: A });
    expect(matchProxy('reviews-v2-def', ids)).toEqual({ id: B });
    expect(matchProxy('reviews-v2', ids)).toEqual({ id: B });
    expect(matchProxy('grpc', ids)).toEqual({ id: G });
  });
  it('lists the candidates when ambiguous or unknown', () => {
    expect(matchProxy('reviews', ids)).toEqual({ matches: [A, B] });
    expect(matchProxy('nope', ids)).toEqual({ matches: [] });
  });
  it('names sidecars pod.namespace, like istioctl', () => {
    expect(displayName(A)).toBe('reviews-v1-abc.default');
    expect(displayName(G)).toBe(G);
  });
});

describe('DebugRecorder', () => {
  const t = (ms: number) => new Date(1_000 + ms);
  const base = { conn: 'c1', proxy: A };
  it('converges when every response of the newest version is ACKed; a NACK rejects it', () => {
    const r = new DebugRecorder();
    r.observer({ ...base, kind: 'connect', time: t(0), proxyKind: 'sidecar', peer: 'p', protocol: 'sotw', node: parseProxy({ id: A }) });
    r.observer({ ...base, kind: 'send', time: t(0), typeUrl: TypeUrl.Cluster, version: 'v1', nonce: 'n1', names: [], bytes: 1 });
    r.observer({ ...base, kind: 'send', time: t(5), typeUrl: TypeUrl.Listener, version: 'v1', nonce: 'n2', names: [], bytes: 1 });
    r.observer({ ...base, kind: 'ack', time: t(7), typeUrl: TypeUrl.Cluster, version: 'v1', nonce: 'n1' });
    expect(r.convergence()[0]).toMatchObject({ state: 'pending', waiting_for: ['lds'], converged_ms: null });
    r.observer({ ...base, kind: 'ack', time: t(12), typeUrl: TypeUrl.Listener, version: 'v1', nonce: 'n2' });
    expect(r.convergence()[0]).toMatchObject({ version: 'v1', state: 'converged', waiting_for: [], converged_ms: 12 });
    r.observer({ ...base, kind: 'send', time: t(20), typeUrl: TypeUrl.RouteConfiguration, version: 'v2', nonce: 'n3', names: [], bytes: 1 });
    r.observer({ ...base, kind: 'nack', time: t(21), typeUrl: TypeUrl.RouteConfiguration, version: 'v1', nonce: 'n3', message: 'bad' });
    expect(r.convergence()[0]).toMatchObject({ version: 'v2', state: 'rejected', nack: 'rds: bad' });
    expect(r.kindOf('c1')).toBe('sidecar');
    r.observer({ ...base, kind: 'disconnect', time: t(30), reason: 'bye' });
    expect(r.convergence()).toEqual([]);
    expect(r.kindOf('c1')).toBeUndefined();
  });
});

describe('buildConfigDump', () => {
  it('takes one version per type and leaves it out where none was sent', () => {
    const dump = buildConfigDump(
      [{ name: 'c', typeUrl: TypeUrl.Cluster, body: { name: 'c' } }],
      { [TypeUrl.Cluster]: 'v7' },
    );
    expect(dump.configs[0]).toEqual({
      '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
      versionInfo: 'v7',
      dynamicActiveClusters: [{ versionInfo: 'v7', cluster: { '@type': TypeUrl.Cluster, name: 'c' } }],
    });
    expect(dump.configs[1]).toEqual({ '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamicListeners: [] });
  });
});

describe('compareVersions', () => {
  it('orders by build time, then numerically by counter', () => {
    expect(['2026-01-01T00:00:00Z/10', '2026-01-01T00:00:00Z/9', '2025-12-31T00:00:00Z/11'].sort(compareVersions)).toEqual([
      '2025-12-31T00:00:00Z/11',
      '2026-01-01T00:00:00Z/9',
      '2026-01-01T00:00:00Z/10',
    ]);
  });
});
