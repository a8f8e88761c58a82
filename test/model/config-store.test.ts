import { describe, expect, it } from 'vitest';
import type { ConfigEvent } from '../../src/model/config.js';
import { MemoryConfigStore } from '../../src/model/config-store.js';
import { captureLogger } from './helpers.js';
import { obj } from './objects.js';

const vs = (name: string, host: string, ns = 'default') => obj('VirtualService', name, { spec: { hosts: [host] } }, { namespace: ns });

describe('MemoryConfigStore', () => {
  it('add, update, delete events, delivered to subscribers', () => {
    const store = new MemoryConfigStore();
    const seen: ConfigEvent[][] = [];
    store.subscribe((e) => seen.push([...e]));
    expect(store.replace('a.yaml', [vs('r', 'reviews')])).toEqual([{ type: 'add', kind: 'VirtualService', namespace: 'default', name: 'r' }]);
    expect(store.replace('a.yaml', [vs('r', 'ratings')])).toEqual([{ type: 'update', kind: 'VirtualService', namespace: 'default', name: 'r' }]);
    expect(store.replace('a.yaml', [])).toEqual([{ type: 'delete', kind: 'VirtualService', namespace: 'default', name: 'r' }]);
    expect(seen.map((b) => b.map((e) => e.type))).toEqual([['add'], ['update'], ['delete']]);
    expect(store.list('VirtualService')).toEqual([]);
  });

  it('storing an equal object fires no event, even when its document moved', () => {
    const store = new MemoryConfigStore();
    let calls = 0;
    store.subscribe(() => calls++);
    store.replace('a.yaml', [vs('r', 'reviews')]);
    const moved = { ...vs('r', 'reviews'), origin: { source: 'file', location: 'a.yaml', documentIndex: 3 } };
    expect(store.replace('a.yaml', [moved])).toEqual([]);
    expect(calls).toBe(1);
    expect(store.get('VirtualService', 'default', 'r')?.origin.documentIndex).toBe(3);
  });

  it('lists sorted by namespace then name', () => {
    const store = new MemoryConfigStore();
    store.replace('a', [vs('b', 'x', 'n2'), vs('z', 'x', 'n1'), vs('a', 'x', 'n2')]);
    expect(store.list('VirtualService').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['n1/z', 'n2/a', 'n2/b']);
    expect(store.list('DestinationRule')).toEqual([]);
  });

  it('two owners of one object: the last owner in sorted order wins, with a warning', () => {
    const { logger, lines } = captureLogger();
    const store = new MemoryConfigStore({ logger });
    store.replace('b.yaml', [vs('r', 'from-b')]);
    expect(store.replace('a.yaml', [vs('r', 'from-a')])).toEqual([]);
    expect(store.get('VirtualService', 'default', 'r')?.spec.hosts).toEqual(['from-b']);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
    // b leaves: a's definition takes over.
    expect(store.replace('b.yaml', []).map((e) => e.type)).toEqual(['update']);
    expect(store.get('VirtualService', 'default', 'r')?.spec.hosts).toEqual(['from-a']);
  });
});
