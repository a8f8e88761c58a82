import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseDuration } from '../../src/model/duration.js';
import { ObjectValidationError } from '../../src/model/errors.js';
import { parseObject, validateObject } from '../../src/model/schemas/index.js';

const origin = (doc = 0) => ({ source: 'file', location: 'examples/bookinfo/reviews.yaml', documentIndex: doc });
const T0 = '2024-01-01T00:00:00.000Z';
const firstSeen = () => T0;

function vs(spec: unknown, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews' }, spec, ...extra };
}

function errorsOf(raw: unknown, doc = 2): ObjectValidationError[] {
  const r = validateObject(raw, origin(doc), firstSeen);
  if (r.status !== 'invalid') throw new Error(`expected invalid, got ${r.status}`);
  return r.errors;
}

describe('parseObject: valid objects', () => {
  it('accepts every bookinfo fixture document', () => {
    const docs = parseAllDocuments(readFileSync('test/fixtures/model/bookinfo.yaml', 'utf8'));
    const objs = (Array.isArray(docs) ? docs : []).map((d, i) => parseObject(d.toJS(), origin(i), firstSeen));
    expect(objs.map((o) => o?.kind)).toEqual([
      'Service', 'Pod', 'Pod', 'DestinationRule', 'VirtualService', 'ServiceEntry', undefined,
    ]);
  });

  it('defaults namespace, fills creationTimestamp from firstSeen, keeps a given one', () => {
    const a = parseObject(vs({ hosts: ['reviews'] }), origin(), () => 'T1');
    expect(a?.metadata).toEqual({ name: 'reviews', namespace: 'default', labels: {}, annotations: {}, creationTimestamp: 'T1' });
    const b = parseObject(vs({ hosts: ['r'] }, { metadata: { name: 'r', namespace: 'x', creationTimestamp: T0 } }), origin(), () => 'T1');
    expect(b?.metadata.creationTimestamp).toBe(T0);
    expect(b?.metadata.namespace).toBe('x');
  });

  it('gives firstSeen the object key', () => {
    const keys: unknown[] = [];
    parseObject(vs({}), origin(), (k) => (keys.push(k), T0));
    expect(keys).toEqual([{ kind: 'VirtualService', namespace: 'default', name: 'reviews' }]);
  });

  it('allows one destination without weight, and header presence `{}`', () => {
    const o = parseObject(vs({ hosts: ['r'], http: [{ match: [{ headers: { foo: {} } }], route: [{ destination: { host: 'r' } }] }] }), origin(), firstSeen);
    expect(o?.kind).toBe('VirtualService');
  });

  it('tolerates unmodelled Kubernetes fields but keeps the ones we read', () => {
    const o = parseObject(
      {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 's', managedFields: [{ manager: 'kubectl' }] },
        spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }], sessionAffinity: 'None' },
        status: { loadBalancer: {} },
      },
      origin(), firstSeen,
    );
    expect(o?.spec).toEqual({ ports: [{ port: 80, targetPort: 8080, name: 'http' }] });
  });

  it('reads the EndpointSlice service name from its label', () => {
    const o = parseObject(
      {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name: 'reviews-abc', labels: { 'kubernetes.io/service-name': 'reviews' } },
        addressType: 'IPv4', endpoints: null, ports: null,
      },
      origin(), firstSeen,
    );
    expect(o?.spec).toEqual({ serviceName: 'reviews', addressType: 'IPv4', endpoints: [], ports: undefined });
  });

  it('skips other Istio and harmless kinds', () => {
    expect(parseObject({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p' } }, origin(), firstSeen)).toBeUndefined();
    expect(parseObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, origin(), firstSeen)).toBeUndefined();
  });
});

describe('parseObject: errors name file, doc, object and field', () => {
  it('wrong type', () => {
    const e = errorsOf(vs({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: '100' }] }] }));
    expect(e.map((x) => x.message)).toEqual([
      'examples/bookinfo/reviews.yaml[doc 2] VirtualService default/reviews: spec.http[0].route[0].weight: expected number, got string',
    ]);
    expect(e[0]).toMatchObject({ kind: 'VirtualService', namespace: 'default', name: 'reviews', field: 'spec.http[0].route[0].weight', detail: 'expected number, got string' });
  });

  it('parseObject throws the ObjectValidationError', () => {
    expect(() => parseObject(vs({ hosts: 'reviews' }), origin(1), firstSeen)).toThrow(ObjectValidationError);
    expect(() => parseObject(vs({ hosts: 'reviews' }), origin(1), firstSeen)).toThrow(
      'examples/bookinfo/reviews.yaml[doc 1] VirtualService default/reviews: spec.hosts: expected array, got string',
    );
  });

  it('unknown field, at any depth and at the top level', () => {
    const e = errorsOf(vs({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r' }, weigth: 100 }] }] }, { specs: {} }));
    expect(e.map((x) => `${x.field}: ${x.detail}`).sort()).toEqual([
      'spec.http[0].route[0].weigth: unknown field "weigth"',
      'specs: unknown field "specs"',
    ]);
  });

  it('StringMatch oneof', () => {
    const e = errorsOf(vs({ hosts: ['r'], http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }] }] }));
    expect(e.map((x) => `${x.field}: ${x.detail}`)).toEqual(['spec.http[0].match[0].uri: exactly one of exact, prefix, regex must be set']);
    expect(errorsOf(vs({ hosts: ['r'], http: [{ match: [{ uri: {} }] }] }))[0]?.field).toBe('spec.http[0].match[0].uri');
  });

  it('weights must sum to 100 with several destinations', () => {
    const e = errorsOf(vs({ hosts: ['r'], http: [{ route: [{ destination: { host: 'a' }, weight: 50 }, { destination: { host: 'b' }, weight: 40 }] }] }));
    expect(e.map((x) => `${x.field}: ${x.detail}`)).toEqual(['spec.http[0].route: weights must sum to 100 when there are several destinations, got 90']);
  });

  it('durations, ports, hosts, enums', () => {
    expect(errorsOf(vs({ hosts: ['r'], http: [{ timeout: '10 seconds' }] }))[0]?.field).toBe('spec.http[0].timeout');
    expect(errorsOf(vs({ hosts: ['r'], http: [{ route: [{ destination: { host: 'r', port: { number: 70000 } } }] }] }))[0]).toMatchObject({
      field: 'spec.http[0].route[0].destination.port.number', detail: 'port 70000 out of range 1..65535',
    });
    expect(errorsOf(vs({ hosts: [''] }))[0]).toMatchObject({ field: 'spec.hosts[0]', detail: 'host must not be empty' });
    const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'd' }, spec: { host: 'r', trafficPolicy: { loadBalancer: { simple: 'FASTEST' } } } };
    expect(errorsOf(dr)[0]).toMatchObject({ field: 'spec.trafficPolicy.loadBalancer.simple' });
    expect(errorsOf(dr)[0]?.detail).toMatch(/^expected one of UNSPECIFIED, .*got "FASTEST"$/);
  });

  it('Kubernetes fields we read are type-checked', () => {
    const e = errorsOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { ports: [{ port: 'abc' }] } });
    expect(e[0]?.message).toBe('examples/bookinfo/reviews.yaml[doc 2] Service ns/s: spec.ports[0].port: expected number, got string');
  });

  it('metadata.name required; unknown kind and apiVersion named', () => {
    expect(errorsOf(vs({}, { metadata: {} }))[0]).toMatchObject({ field: 'metadata.name', detail: 'required' });
    expect(errorsOf({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })[0]?.message).toBe(
      'examples/bookinfo/reviews.yaml[doc 2] Widget default/w: kind: unknown kind "Widget" (apiVersion "example.com/v1")',
    );
    expect(errorsOf({ ...vs({}), apiVersion: 'networking.istio.io/v2' })[0]?.field).toBe('apiVersion');
  });
});

describe('parseDuration', () => {
  it('parses Go-style durations to milliseconds', () => {
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('100ms')).toBe(100);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
  });
  it('rejects anything else', () => {
    for (const bad of ['', '10', 's', '1x', '-1s', '1.5', '1s ']) expect(() => parseDuration(bad), bad).toThrow();
  });
});
