// The push queue: one pending push per connection (merged), a concurrency cap, fairness;
// the new-stream token bucket; the per-type skip table.
import { describe, expect, it } from 'vitest';
import { PushQueue, mergePush } from '../../src/xds/push-queue.js';
import type { ConnPush } from '../../src/xds/push-queue.js';
import { TokenBucket, defaultConcurrency } from '../../src/xds/stream-limiter.js';
import { affectedTypes } from '../../src/xds/affected-types.js';
import { TypeUrl } from '../../src/translate/api.js';

const full = (changed?: string[], at?: number): ConnPush => ({
  full: true,
  changed: changed?.map((n) => ({ kind: 'VirtualService' as const, namespace: 'default', name: n })),
  clusters: new Set(),
  triggeredAt: at,
});
const eds = (clusters: string[], at?: number): ConnPush => ({ full: false, changed: undefined, clusters: new Set(clusters), triggeredAt: at });

describe('mergePush', () => {
  it('full wins, clusters and changed keys union, the earliest trigger is kept', () => {
    const m = mergePush(eds(['a'], 20), full(['x'], 10));
    expect(m.full).toBe(true);
    expect(m.changed?.map((k) => k.name)).toEqual(['x']);
    mergePush(m, full(['y'], 30));
    expect(m.changed?.map((k) => k.name)).toEqual(['x', 'y']);
    mergePush(m, eds(['b']));
    expect([...m.clusters]).toEqual(['a', 'b']);
    expect(m.triggeredAt).toBe(10);
    // An unknown change (undefined) means everything.
    expect(mergePush(full(['x']), full()).changed).toBeUndefined();
  });
});

describe('PushQueue', () => {
  it('merges pushes for a waiting connection and runs each connection once', async () => {
    const runs: [string, ConnPush][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new PushQueue<string>(1, async (k, req) => {
      runs.push([k, req]);
      await gate;
    });
    const p = [q.enqueue('busy', eds(['x'])), q.enqueue('a', eds(['c1'], 5)), q.enqueue('a', eds(['c2'], 3)), q.enqueue('a', full(['vs']))];
    expect(q.stats()).toMatchObject({ pending: 1, inFlight: 1, merged: 2 });
    release();
    await Promise.all(p);
    expect(runs.map(([k]) => k)).toEqual(['busy', 'a']);
    expect(runs[1]![1]).toMatchObject({ full: true, triggeredAt: 3 });
    expect([...runs[1]![1].clusters].sort()).toEqual(['c1', 'c2']);
  });

  it('a push for a connection being pushed runs again after it, merged', async () => {
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new PushQueue<string>(4, async (_k, req) => {
      runs.push([...req.clusters].join(','));
      if (runs.length === 1) await gate;
    });
    const a = q.enqueue('a', eds(['1']));
    await Promise.resolve();
    const b = q.enqueue('a', eds(['2']));
    const c = q.enqueue('a', eds(['3']));
    release();
    await Promise.all([a, b, c]);
    expect(runs).toEqual(['1', '2,3']);
  });

  it('never runs more than `concurrency` pushes at once', async () => {
    let active = 0;
    let peak = 0;
    const q = new PushQueue<number>(3, async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 2));
      active -= 1;
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => q.enqueue(i, eds(['c']))));
    expect(peak).toBe(3);
    await q.idle();
    expect(q.stats()).toMatchObject({ pending: 0, inFlight: 0, run: 20 });
  });

  it('remove() drops a closed connection and releases its waiters', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    const q = new PushQueue<string>(1, async (k) => {
      ran.push(k);
      await gate;
    });
    const first = q.enqueue('a', eds(['c']));
    const dropped = q.enqueue('b', eds(['c']));
    q.remove('b');
    await dropped;
    release();
    await first;
    expect(ran).toEqual(['a']);
    expect(q.stats().pending).toBe(0);
  });
});

describe('TokenBucket (new-stream rate limit)', () => {
  it('admits a burst, then one per 1/rate, and refuses what would wait longer than allowed', async () => {
    let now = 0;
    const b = new TokenBucket(10, 2, () => now);
    expect(b.take().ok).toBe(true);
    expect(b.take().ok).toBe(true);
    expect(b.take()).toEqual({ ok: false, waitMs: 100 });
    now = 100;
    expect(b.take().ok).toBe(true);
    expect(await b.acquire(50)).toBe(false); // next token in 100 ms
    expect(new TokenBucket(0).take().ok).toBe(true); // 0 = unlimited
  });

  it("defaults like Istio's PILOT_PUSH_THROTTLE: min(15 + 5 × cores, 100)", () => {
    expect(defaultConcurrency(2)).toBe(25);
    expect(defaultConcurrency(32)).toBe(100);
  });
});

describe('affectedTypes', () => {
  const key = (kind: string) => ({ kind: kind as 'Service', namespace: 'ns', name: 'n' });
  it('VirtualService → RDS only; DestinationRule → CDS, EDS, RDS; endpoints → CDS, EDS, LDS', () => {
    expect([...affectedTypes([key('VirtualService')])]).toEqual([TypeUrl.RouteConfiguration]);
    expect(affectedTypes([key('DestinationRule')]).has(TypeUrl.Listener)).toBe(false);
    // LDS too: a sidecar's inbound listener follows its own pod's endpoints.
    for (const k of ['Pod', 'Endpoints', 'EndpointSlice'] as const) {
      expect([...affectedTypes([key(k)])].sort()).toEqual([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener].sort());
    }
  });
  it('services, unknown kinds and unknown changes affect every type', () => {
    expect(affectedTypes([key('Service')]).size).toBe(4);
    expect(affectedTypes([key('Sidecar')]).size).toBe(4);
    expect(affectedTypes(undefined).size).toBe(4);
  });
});
