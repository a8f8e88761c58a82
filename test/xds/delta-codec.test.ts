// decodeDeltaRequest reads the request by hand (initial_resource_versions straight into a
// Map): it must agree with Envoy's schema as protobufjs encodes it, field by field.
import { describe, expect, it } from 'vitest';
import { lookupType } from '../../src/envoy/protos.js';
import { decodeDeltaRequest } from '../../src/xds/delta-codec.js';

const request = lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
const encode = (o: Record<string, unknown>): Buffer => Buffer.from(request.encode(request.fromObject(o)).finish());

describe('decodeDeltaRequest', () => {
  it('reads every field we use, and skips the ones we do not', () => {
    const got = decodeDeltaRequest(
      encode({
        node: { id: 'sidecar~10.0.0.1~a.default~default.svc.cluster.local', cluster: 'a', metadata: { fields: { NAMESPACE: { stringValue: 'default' } } }, userAgentName: 'envoy' },
        typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        resourceNamesSubscribe: ['*', 'outbound|80||a.default.svc.cluster.local'],
        resourceNamesUnsubscribe: ['gone'],
        initialResourceVersions: { 'outbound|80||a.default.svc.cluster.local': 'abc', 'outbound|80||b.default.svc.cluster.local': 'def' },
        responseNonce: '7',
        errorDetail: { code: 3, message: 'bad cluster' },
        resourceLocatorsSubscribe: [{ name: 'ignored' }],
      }),
    );
    expect(got).toEqual({
      node: expect.objectContaining({ id: 'sidecar~10.0.0.1~a.default~default.svc.cluster.local', cluster: 'a', metadata: { NAMESPACE: 'default' }, userAgentName: 'envoy' }),
      typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      resourceNamesSubscribe: ['*', 'outbound|80||a.default.svc.cluster.local'],
      resourceNamesUnsubscribe: ['gone'],
      initialResourceVersions: new Map([
        ['outbound|80||a.default.svc.cluster.local', 'abc'],
        ['outbound|80||b.default.svc.cluster.local', 'def'],
      ]),
      responseNonce: '7',
      errorDetail: { code: 3, message: 'bad cluster' },
    });
  });

  it('an empty request has every default', () => {
    expect(decodeDeltaRequest(Buffer.alloc(0))).toEqual({
      node: undefined,
      typeUrl: '',
      resourceNamesSubscribe: [],
      resourceNamesUnsubscribe: [],
      initialResourceVersions: new Map(),
      responseNonce: '',
      errorDetail: undefined,
    });
  });

  it('a truncated request is an error, not a partial request', () => {
    const full = encode({ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', initialResourceVersions: { a: '1' } });
    expect(() => decodeDeltaRequest(full.subarray(0, full.length - 2))).toThrow();
  });
});
