// The UI's server-side pieces on their own: the line diff, the bounded per-proxy history,
// proxy-status states, and the event stream's rounds.
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigHistory, VERSIONS_PER_PROXY } from '../../src/debug/ui/config-history.js';
import { EventHub } from '../../src/debug/ui/event-hub.js';
import { diffLines, hunks } from '../../src/debug/ui/line-diff.js';
import { syncState } from '../../src/debug/ui/sync-status.js';
import type { PushContext } from '../../src/push/push-context.js';
import { TypeUrl } from '../../src/translate/api.js';
import { parseProxy } from '../../src/translate/proxy.js';

describe('line diff', () => {
  it('keeps common lines and marks changes', () => {
    const d = diffLines(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']);
    expect(d.map((l) => `${l.op}${l.text}`)).toEqual([' a', '-b', '+x', ' c', ' d', '+e']);
  });

  it('groups changes into hunks with context and line numbers', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const b = [...a];
    b[1] = 'changed 2';
    b[17] = 'changed 18';
    const hs = hunks(diffLines(a, b), 2);
    expect(hs.map((h) => [h.oldStart, h.newStart, h.lines.length])).toEqual([
      [1, 1, 5],
      [16, 16, 6],
    ]);
  });
});

describe('config history', () => {
  const proxy = parseProxy({ id: 'sidecar~10.0.0.1~app-1.default~default.svc.cluster.local' });
  const push = (v: string) => ({ version: v }) as unknown as PushContext;

  it(`keeps the last ${VERSIONS_PER_PROXY} versions per connection and frees them on disconnect`, () => {
    const h = new ConfigHistory();
    h.connect('c1', proxy);
    h.request('c1', TypeUrl.Cluster, []);
    for (let i = 1; i <= 15; i++) h.sent('c1', TypeUrl.Cluster, `v${i}`, push(`v${i}`), new Date());
    // A second response of the same version (e.g. EDS after CDS) is not a new version.
    h.sent('c1', TypeUrl.ClusterLoadAssignment, 'v15', push('v15'), new Date());
    expect(h.versions('c1').map((v) => v.version)).toEqual(Array.from({ length: 10 }, (_, i) => `v${i + 6}`));
    h.disconnect('c1');
    expect(h.versions('c1')).toEqual([]);
    expect(h.proxy('c1')).toBeUndefined();
  });

  it('records nothing when the PushContext is not the version sent', () => {
    const h = new ConfigHistory();
    h.connect('c1', proxy);
    h.sent('c1', TypeUrl.Cluster, 'v2', push('v1'), new Date());
    expect(h.versions('c1')).toEqual([]);
  });
});

describe('sync state (istioctl proxy-status)', () => {
  const base = { typeUrl: TypeUrl.Cluster, wildcard: true, names: [], resourcesSent: 1 };
  it.each([
    [{}, 'NOT SENT'],
    [{ nonceSent: 'n1', nonceAcked: 'n1' }, 'SYNCED'],
    [{ nonceSent: 'n2', nonceAcked: 'n1' }, 'STALE'],
    [{ nonceSent: 'n2', nonceAcked: 'n1', lastNack: { nonce: 'n2', version: 'v1', message: 'bad', time: '' } }, 'ERROR'],
    [{ nonceSent: 'n3', nonceAcked: 'n3', lastNack: { nonce: 'n2', version: 'v1', message: 'bad', time: '' } }, 'SYNCED'],
  ])('%j → %s', (t, state) => {
    expect(syncState({ ...base, ...t })).toBe(state);
  });
});

describe('event stream rounds', () => {
  const request = (lastEventId?: string) => ({ headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId }, socket: new Socket() }) as unknown as IncomingMessage;
  const url = new URL('http://x/ui/events');

  it('starts a new client at the latest event, then sends what came after its Last-Event-ID', async () => {
    const hub = new EventHub();
    hub.publish('push', { version: 'v1' });
    const hello = await hub.handle(url, request());
    expect(hello.body).toMatch(/^retry: \d+\n\nid: 1\nevent: hello\n/);
    const waiting = hub.handle(url, request('1'));
    hub.publish('nack', { message: 'bad' });
    const round = await waiting;
    expect(round.contentType).toMatch(/^text\/event-stream/);
    expect(round.body).toContain('id: 2\nevent: nack\ndata: {"message":"bad"}\n\n');
    expect(round.body).not.toContain('id: 1\n');
  });
});
