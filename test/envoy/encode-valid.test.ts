import { describe, expect, it } from 'vitest';
import { encodeValidResource } from '../../src/envoy/validate.js';
import { decodeResource } from '../../src/envoy/codec.js';

const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

describe('encodeValidResource (what the xDS server sends)', () => {
  it('encodes a valid resource to the same bytes the codec decodes back', () => {
    const body = { name: 'outbound|9080||reviews.default.svc.cluster.local', type: 'EDS', connectTimeout: '10s' };
    expect(decodeResource(CLUSTER, encodeValidResource(CLUSTER, body))).toEqual(body);
  });

  it('refuses a resource that breaks validate.rules, naming the field and rule', () => {
    expect(() => encodeValidResource(CLUSTER, { name: '', connectTimeout: '10s' })).toThrow(/name.*min_len|min_len.*name/s);
    expect(() => encodeValidResource(CLUSTER, { name: 'x', connectTimeout: '0s' })).toThrow(/connectTimeout/);
  });

  it('refuses an unknown field', () => {
    expect(() => encodeValidResource(CLUSTER, { name: 'x', conectTimeout: '1s' })).toThrow(/unknown field "conectTimeout"/);
  });
});
