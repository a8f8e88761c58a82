// SentVersions against a plain Map: the same answers for any sequence of operations, with
// the shared part of a reset list read once by a scan over many streams.
import { describe, expect, it } from 'vitest';
import type { EncodedResource } from '../../src/xds/resource-cache.js';
import { SentVersions } from '../../src/xds/sent-versions.js';

const list = (entries: [string, string][]): EncodedResource[] => entries.map(([name, hash]) => ({ name, hash }) as EncodedResource);

function expectSame(s: SentVersions, m: Map<string, string>): void {
  expect(s.size).toBe(m.size);
  expect([...s.keys()].sort()).toEqual([...m.keys()].sort());
  for (const [k, v] of m) expect(s.get(k)).toBe(v);
}

describe('SentVersions', () => {
  it('behaves like a Map across resets, overrides and deletes', () => {
    const s = new SentVersions();
    const m = new Map<string, string>();
    const shared = list([['a', '1'], ['b', '1'], ['c', '1']]);
    s.resetTo(shared);
    shared.forEach((r) => m.set(r.name, r.hash));
    expectSame(s, m);
    s.set('b', '2'); m.set('b', '2'); // override a shared entry
    s.delete('c'); m.delete('c'); // drop a shared entry
    s.set('d', '1'); m.set('d', '1'); // one of its own
    expectSame(s, m);
    expect(s.has('c')).toBe(false);
    expect(s.delete('c')).toBe(false);
    s.set('c', '1'); m.set('c', '1'); // back to the shared version
    s.set('b', '1'); m.set('b', '1');
    expectSame(s, m);
    s.clear(); m.clear();
    expectSame(s, m);
    s.set('x', '9'); m.set('x', '9');
    expectSame(s, m);
  });

  it('a random sequence agrees with a Map', () => {
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const s = new SentVersions();
    const m = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      const name = `n${rnd(20)}`;
      const op = rnd(10);
      if (op < 5) {
        const h = `${rnd(3)}`;
        s.set(name, h);
        m.set(name, h);
      } else if (op < 8) expect(s.delete(name)).toBe(m.delete(name));
      else if (op < 9) {
        const l = list(Array.from({ length: rnd(15) }, (_, j) => [`n${j}`, `${rnd(3)}`] as [string, string]));
        s.resetTo(l);
        m.clear();
        l.forEach((r) => m.set(r.name, r.hash));
      }
      expectSame(s, m);
    }
  });

  it('streams reset to one list share its index, and a scan reads it once', () => {
    const shared = list([['a', '1'], ['b', '1']]);
    const streams = [new SentVersions(), new SentVersions(), new SentVersions()];
    streams.forEach((s) => s.resetTo(shared));
    streams[2]!.set('c', '1');
    const seen = new Set<object>();
    const names: string[] = [];
    for (const s of streams) s.forEachName(seen, (n) => names.push(n));
    expect(names.sort()).toEqual(['a', 'b', 'c']);
  });
});
