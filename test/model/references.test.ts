import { describe, expect, it } from 'vitest';
import { MemoryConfigStore } from '../../src/model/config-store.js';
import { checkReferences, resolveHost } from '../../src/model/references.js';
import { obj } from './objects.js';

describe('resolveHost', () => {
  it('expands short names only, as Istio', () => {
    expect(resolveHost('reviews', 'default')).toBe('reviews.default.svc.cluster.local');
    expect(resolveHost('reviews.default.svc.cluster.local', 'x')).toBe('reviews.default.svc.cluster.local');
    expect(resolveHost('example.com', 'x')).toBe('example.com');
    expect(resolveHost('*', 'x')).toBe('*');
    expect(resolveHost('*.example.com', 'x')).toBe('*.example.com');
  });
});

describe('checkReferences', () => {
  const dr = obj('DestinationRule', 'reviews', { spec: { host: 'reviews.default.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } });
  const store = new MemoryConfigStore();
  store.replace('dr', [dr]);

  it('flags a route or mirror subset no DestinationRule defines', () => {
    const vs = obj('VirtualService', 'reviews', {
      spec: {
        hosts: ['reviews'],
        http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }], mirror: { host: 'reviews', subset: 'v9' } },
          { route: [{ destination: { host: 'ratings', subset: 'v1' } }] }],
      },
    });
    const errs = checkReferences(store, [vs]);
    expect(errs.map((e) => [e.field, e.detail])).toEqual([
      ['spec.http[0].mirror.subset', 'subset "v9" not found in any DestinationRule for host reviews.default.svc.cluster.local'],
      ['spec.http[1].route[0].destination.subset', 'subset "v1" not found in any DestinationRule for host ratings.default.svc.cluster.local'],
    ]);
  });

  it('accepts known subsets and hosts nobody defines without subset', () => {
    const vs = obj('VirtualService', 'ok', { spec: { hosts: ['x'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }, { route: [{ destination: { host: 'unknown.example.com' } }] }] } });
    expect(checkReferences(store, [vs, dr])).toEqual([]);
  });
});
