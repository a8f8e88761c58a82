// Encode once, share bytes: the cache hands the same Buffer objects to every proxy with one
// scope key, generates once per (type, key, version), and EDS-only pushes invalidate only
// the changed clusters.
import { describe, expect, it } from 'vitest';
import { encodeResource } from '../../src/envoy/codec.js';
import { TypeUrl } from '../../src/translate/api.js';
import { parseProxy } from '../../src/translate/proxy.js';
import { ResourceCache, shortHash } from '../../src/xds/resource-cache.js';
import { fakeGenerator, fakePush } from './fakes.js';

const p1 = parseProxy({ id: 'sidecar~10.0.0.1~a-1.default~default.svc.cluster.local' });
const p2 = parseProxy({ id: 'sidecar~10.0.0.2~b-1.default~default.svc.cluster.local' });
const p3 = parseProxy({ id: 'sidecar~10.0.0.3~c-1.other~other.svc.cluster.local' });
const byNamespace = (p: { namespace: string }): string => p.namespace;

const EDS = TypeUrl.ClusterLoadAssignment;
const world = {
  [TypeUrl.Cluster]: { c1: '1', c2: '1' },
  [EDS]: { 'outbound|80||a.default.svc.cluster.local': '1', 'outbound|80||b.default.svc.cluster.local': '1' },
};
const EA = 'outbound|80||a.default.svc.cluster.local';
const EB = 'outbound|80||b.default.svc.cluster.local';

describe('ResourceCache', () => {
  it('hands the same Buffer instance to two proxies with the same scope key', () => {
    const cache = new ResourceCache(encodeResource);
    const gen = fakeGenerator(TypeUrl.Cluster, byNamespace);
    const push = fakePush(world);
    const a = cache.get(push, gen, p1, undefined);
    const b = cache.get(push, gen, p2, undefined);
    expect(a.map((r) => r.name)).toEqual(['c1', 'c2']);
    expect(b[0]!.bytes).toBe(a[0]!.bytes);
    expect(b[0]!.any).toBe(a[0]!.any);
    expect(gen.calls).toHaveLength(1);
    // Another key: generated on its own; identical content is not encoded twice.
    const c = cache.get(push, gen, p3, undefined);
    expect(c[0]!.bytes).toBe(a[0]!.bytes);
    expect(gen.calls).toHaveLength(2);
    expect(cache.stats()).toMatchObject({ encoded: 2, reused: 2 });
  });

  it('hashes the bytes: equal content gives equal hashes across versions', () => {
    const cache = new ResourceCache(encodeResource);
    const gen = fakeGenerator(TypeUrl.Cluster);
    const a = cache.get(fakePush(world), gen, p1, undefined);
    const b = cache.get(fakePush({ [TypeUrl.Cluster]: { c1: '1', c2: '2' } }), gen, p1, undefined);
    expect(a[0]!.hash).toBe(shortHash(a[0]!.bytes));
    expect(b[0]!.hash).toBe(a[0]!.hash);
    expect(b[1]!.hash).not.toBe(a[1]!.hash);
    expect(a[0]!.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('generates named resources once, remembers missing names, and fills the rest on a full request', () => {
    const cache = new ResourceCache(encodeResource);
    const gen = fakeGenerator(EDS);
    const push = fakePush(world);
    expect(cache.get(push, gen, p1, [EA, 'missing']).map((r) => r.name)).toEqual([EA]);
    expect(cache.get(push, gen, p2, [EA, 'missing']).map((r) => r.name)).toEqual([EA]);
    expect(gen.calls).toHaveLength(1);
    const first = cache.get(push, gen, p1, [EA])[0]!;
    const all = cache.get(push, gen, p1, undefined);
    expect(all.map((r) => r.name)).toEqual([EA, EB]);
    expect(all[0]!.bytes).toBe(first.bytes); // already encoded: reused
    expect(cache.stats().encoded).toBe(2);
    cache.get(push, gen, p2, [EB]);
    expect(gen.calls).toHaveLength(2);
  });

  it('an EDS-only advance invalidates only the changed clusters', () => {
    const cache = new ResourceCache(encodeResource);
    const eds = fakeGenerator(EDS);
    const cds = fakeGenerator(TypeUrl.Cluster);
    const v1 = fakePush(world);
    const [a1, b1] = cache.get(v1, eds, p1, undefined);
    const [c1] = cache.get(v1, cds, p1, undefined);
    const v2 = fakePush({ ...world, [EDS]: { [EA]: '2', [EB]: '1' } });
    cache.advance(v2.version, { kind: 'eds', clusters: new Set([EA]) });
    const [a2, b2] = [cache.get(v2, eds, p1, [EA])[0]!, cache.get(v2, eds, p1, [EB])[0]!];
    expect(a2.bytes).not.toBe(a1!.bytes);
    expect(a2.hash).not.toBe(a1!.hash);
    expect(b2.bytes).toBe(b1!.bytes); // untouched
    expect(eds.calls.at(-1)!.names).toEqual([EA]);
    expect(cache.get(v2, cds, p1, undefined)[0]!.bytes).toBe(c1!.bytes);
    // The complete set is still complete: only the stale name was regenerated.
    expect(cache.get(v2, eds, p1, undefined).map((r) => r.name).sort()).toEqual([EA, EB]);
    expect(eds.calls).toHaveLength(2);
  });

  it('a full advance drops the old version', () => {
    const cache = new ResourceCache(encodeResource);
    const gen = fakeGenerator(TypeUrl.Cluster);
    const [a] = cache.get(fakePush(world), gen, p1, undefined);
    const v2 = fakePush(world);
    cache.advance(v2.version, { kind: 'full' });
    expect(cache.stats().entries).toBe(0);
    const [b] = cache.get(v2, gen, p1, undefined);
    expect(gen.calls).toHaveLength(2); // generated again...
    expect(b!.bytes).toBe(a!.bytes); // ...but unchanged content is not encoded again
    // Contents unused for a whole full version are dropped.
    cache.advance('v3', { kind: 'full' });
    cache.advance('v4', { kind: 'full' });
    expect(cache.stats().contents).toBe(0);
    const [c] = cache.get(fakePush({ [TypeUrl.Cluster]: { c1: '9' } }), gen, p1, undefined);
    expect(c!.bytes).not.toBe(a!.bytes);
  });

  it('1000 EDS-only pushes of one cluster keep the content map bounded', () => {
    const cache = new ResourceCache(encodeResource);
    const eds = fakeGenerator(EDS);
    const cds = fakeGenerator(TypeUrl.Cluster);
    cache.get(fakePush(world), cds, p1, undefined);
    for (let i = 0; i < 1000; i++) {
      const v = fakePush({ ...world, [EDS]: { [EA]: `${i}`, [EB]: '1' } });
      cache.advance(v.version, { kind: 'eds', clusters: new Set([EA]) });
      expect(cache.get(v, eds, p1, undefined).map((r) => r.name).sort()).toEqual([EA, EB]);
      cache.get(v, cds, p1, undefined); // CDS is regenerated after each (it may inline endpoints)
    }
    // CDS c1, c2 and the current EA and EB: no trace of the 999 superseded EA contents.
    expect(cache.stats().contents).toBe(4);
    expect(cache.stats().encoded).toBe(2 + 1001); // CDS encoded once, reused from then on
  });

  it('keeps the first of a name returned twice and reports it', () => {
    const dups: string[] = [];
    const cache = new ResourceCache(encodeResource, (_t, n) => dups.push(n));
    const gen = fakeGenerator(TypeUrl.Cluster);
    const orig = gen.generate.bind(gen);
    gen.generate = (push, proxy, names) => [...orig(push, proxy, names), ...orig(push, proxy, names)];
    expect(cache.get(fakePush(world), gen, p1, undefined).map((r) => r.name)).toEqual(['c1', 'c2']);
    expect(dups).toEqual(['c1', 'c2']);
  });
});
