// Istio's TestShouldRespond table, re-derived: one row per case.
import { describe, expect, it } from 'vitest';
import { TypeUrl } from '../../src/translate/api.js';
import { nextSubscription, shouldRespond } from '../../src/xds/should-respond.js';
import type { RequestView, WatchView } from '../../src/xds/should-respond.js';

const EDS = TypeUrl.ClusterLoadAssignment;
const CDS = TypeUrl.Cluster;

function watching(names: string[], nonceSent: string | undefined = 'n1'): WatchView {
  return { subscription: nextSubscription(undefined, names), nonceSent };
}
function req(r: Partial<RequestView>): RequestView {
  return { typeUrl: EDS, resourceNames: [], responseNonce: '', ...r };
}

describe('shouldRespond (Istio table)', () => {
  const rows: { name: string; prev: WatchView | undefined; req: RequestView; respond: boolean; kind: string }[] = [
    { name: 'first request', prev: undefined, req: req({ resourceNames: ['a'] }), respond: true, kind: 'initial' },
    { name: 'ack', prev: watching(['a']), req: req({ resourceNames: ['a'], responseNonce: 'n1' }), respond: false, kind: 'ack' },
    { name: 'stale nonce', prev: watching(['a']), req: req({ resourceNames: ['a'], responseNonce: 'n0' }), respond: false, kind: 'stale' },
    {
      name: 'stale nonce even with new names',
      prev: watching(['a']),
      req: req({ resourceNames: ['a', 'b'], responseNonce: 'n0' }),
      respond: false,
      kind: 'stale',
    },
    { name: 'reconnect: unknown nonce, no state', prev: undefined, req: req({ resourceNames: ['a'], responseNonce: 'old' }), respond: true, kind: 'reconnect' },
    { name: 'no nonce with state: starts over', prev: watching(['a']), req: req({ resourceNames: ['a'] }), respond: true, kind: 'initial' },
    {
      name: 'resource names changed (added)',
      prev: watching(['a']),
      req: req({ resourceNames: ['a', 'b'], responseNonce: 'n1' }),
      respond: true,
      kind: 'subscription-changed',
    },
    {
      name: 'same names reordered',
      prev: watching(['a', 'b']),
      req: req({ resourceNames: ['b', 'a'], responseNonce: 'n1' }),
      respond: false,
      kind: 'ack',
    },
    {
      name: 'EDS names only removed: nothing to send',
      prev: watching(['a', 'b']),
      req: req({ resourceNames: ['a'], responseNonce: 'n1' }),
      respond: false,
      kind: 'subscription-changed',
    },
    {
      name: 'CDS names changed: complete set again',
      prev: watching(['a', 'b']),
      req: req({ typeUrl: CDS, resourceNames: ['a'], responseNonce: 'n1' }),
      respond: true,
      kind: 'subscription-changed',
    },
    {
      name: 'NACK',
      prev: watching(['a']),
      req: req({ resourceNames: ['a'], responseNonce: 'n1', errorDetail: { message: 'bad' } }),
      respond: false,
      kind: 'nack',
    },
    {
      name: 'NACK detected by error_detail even when the version looks fine',
      prev: watching([]),
      req: req({ responseNonce: 'n1', errorDetail: { message: 'bad' } }),
      respond: false,
      kind: 'nack',
    },
    {
      name: 'explicit wildcard added',
      prev: watching(['a']),
      req: req({ resourceNames: ['*', 'a'], responseNonce: 'n1' }),
      respond: true,
      kind: 'subscription-changed',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const d = shouldRespond(row.prev, row.req);
      expect({ respond: d.respond, kind: d.kind }).toEqual({ respond: row.respond, kind: row.kind });
    });
  }

  it('reports the added and removed names', () => {
    const d = shouldRespond(watching(['a', 'b']), req({ resourceNames: ['b', 'c'], responseNonce: 'n1' }));
    expect(d.added).toEqual(['c']);
    expect(d.removed).toEqual(['a']);
  });

  it('does not change the subscription on stale requests, NACKs of them included', () => {
    const prev = watching(['a']);
    expect(shouldRespond(prev, req({ resourceNames: ['z'], responseNonce: 'n0' })).subscription).toBe(prev.subscription);
    expect(shouldRespond(prev, req({ resourceNames: ['z'], responseNonce: 'n0', errorDetail: { message: 'x' } })).subscription).toBe(
      prev.subscription,
    );
  });

  it('takes the subscription of a NACK of the latest response, answering only added names', () => {
    const prev = watching(['a']);
    const grown = shouldRespond(prev, req({ resourceNames: ['a', 'z'], responseNonce: 'n1', errorDetail: { message: 'x' } }));
    expect(grown).toMatchObject({ kind: 'nack', respond: true, added: ['z'], removed: [] });
    expect([...grown.subscription.names]).toEqual(['a', 'z']);
    const shrunk = shouldRespond(watching(['a', 'b']), req({ typeUrl: CDS, resourceNames: ['a'], responseNonce: 'n1', errorDetail: { message: 'x' } }));
    expect(shrunk).toMatchObject({ kind: 'nack', respond: false, added: [], removed: ['b'] });
  });
});

describe('subscriptions', () => {
  it('empty first request is the legacy wildcard, kept while names stay empty', () => {
    const s = nextSubscription(undefined, []);
    expect(s).toMatchObject({ wildcard: true, legacyWildcard: true });
    expect(nextSubscription(s, [])).toBe(s);
  });

  it('legacy wildcard ends once the client names something', () => {
    const s = nextSubscription(nextSubscription(undefined, []), ['a']);
    expect(s.wildcard).toBe(false);
    expect([...s.names]).toEqual(['a']);
  });

  it('"*" plus names is wildcard plus those names', () => {
    const s = nextSubscription(undefined, ['*', 'a']);
    expect(s.wildcard).toBe(true);
    expect([...s.names]).toEqual(['a']);
    expect(s.legacyWildcard).toBe(false);
  });

  it('empty names after explicit names means nothing', () => {
    const s = nextSubscription(nextSubscription(undefined, ['a']), []);
    expect(s.wildcard).toBe(false);
    expect(s.names.size).toBe(0);
  });
});
