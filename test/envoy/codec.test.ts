import { describe, expect, test } from 'vitest';
import { CodecError, decodeResource, encodeResource, fromJson, toJson } from '../../src/envoy/codec.js';
import { lookupType } from '../../src/envoy/protos.js';
import { TypeUrl } from '../../src/translate/api.js';
import { cluster, clusterLoadAssignment, codecError, FAULT_URL, listener, routeConfiguration, wire } from './fixtures.js';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const ROUTE = 'envoy.config.route.v3.RouteConfiguration';


describe('round trips of realistic resources', () => {
  const cases = [
    ['Cluster (EDS, circuit breakers, durations, Any protocol options, Struct metadata)', TypeUrl.Cluster, cluster],
    ['Listener (HCM in a typed Any, RDS, router filter)', TypeUrl.Listener, listener],
    ['RouteConfiguration (weighted clusters, regex, retry policy, HTTPFault)', TypeUrl.RouteConfiguration, routeConfiguration],
    ['ClusterLoadAssignment (localities, UInt32Value weights)', TypeUrl.ClusterLoadAssignment, clusterLoadAssignment],
  ] as const;

  test.each(cases)('%s', (_name, typeUrl, make) => {
    const json = make();
    const bytes = encodeResource(typeUrl, json);
    expect(bytes.length).toBeGreaterThan(20);
    expect(decodeResource(typeUrl, bytes)).toEqual(json);
    // Without the wire in between too (the Message straight from fromJson).
    const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    expect(toJson(typeName, fromJson(typeName, json))).toEqual(json);
  });

  test('output keys follow field declaration order', () => {
    const shuffled = Object.fromEntries(Object.entries(cluster()).reverse());
    const out = decodeResource(TypeUrl.Cluster, encodeResource(TypeUrl.Cluster, shuffled));
    expect(Object.keys(out).slice(0, 4)).toEqual(['name', 'type', 'edsClusterConfig', 'connectTimeout']);
  });

  test('the nested Any payloads are really encoded, not kept as JSON', () => {
    const hcm = lookupType('envoy.config.listener.v3.Listener').decode(encodeResource(TypeUrl.Listener, listener()));
    const any = (hcm as any).filterChains[0].filters[0].typedConfig;
    expect(any.type_url).toMatch(/HttpConnectionManager$/);
    expect(any.value).toBeInstanceOf(Uint8Array);
    const inner = toJson('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', any.value);
    expect(inner['statPrefix']).toBe('outbound_0.0.0.0_9080');
  });
});

describe('canonicalization', () => {
  test('snake_case input names are accepted and printed as lowerCamelCase json names', () => {
    const out = wire(CLUSTER, { name: 'c', connect_timeout: '1s', outlier_detection: { consecutive_5xx: 3 }, lb_policy: 'RING_HASH' });
    expect(out).toEqual({ name: 'c', connectTimeout: '1s', outlierDetection: { consecutive5xx: 3 }, lbPolicy: 'RING_HASH' });
  });

  test('defaults are dropped, int64 numbers become strings, enums by number become names', () => {
    const out = wire('envoy.config.route.v3.RetryPolicy', {
      retryOn: '', numRetries: 0, hostSelectionRetryMaxAttempts: 7, retriableStatusCodes: [],
    });
    // numRetries is a UInt32Value: present, so its zero is kept.
    expect(out).toEqual({ numRetries: 0, hostSelectionRetryMaxAttempts: '7' });
    expect(wire(CLUSTER, { name: 'c', lbPolicy: 1 })).toEqual({ name: 'c', lbPolicy: 'LEAST_REQUEST' });
    expect(wire(CLUSTER, { name: 'c', lbPolicy: 'ROUND_ROBIN' })).toEqual({ name: 'c' });
  });

  test('explicit implicit-presence defaults are not written to the wire (byte-identical output)', () => {
    const a = encodeResource(TypeUrl.Cluster, { name: 'c', lbPolicy: 'ROUND_ROBIN', respectDnsTtl: false, altStatName: '' });
    expect(Buffer.from(a)).toEqual(Buffer.from(encodeResource(TypeUrl.Cluster, { name: 'c' })));
  });

  test('oneof members and wrappers keep their zero values', () => {
    const sa = wire('envoy.config.core.v3.SocketAddress', { address: '::', portValue: 0 });
    expect(sa).toEqual({ address: '::', portValue: 0 });
    expect(wire('envoy.config.route.v3.RouteConfiguration', { validateClusters: false })).toEqual({ validateClusters: false });
    expect(wire('envoy.config.endpoint.v3.LbEndpoint', { loadBalancingWeight: 0 })).toEqual({ loadBalancingWeight: 0 });
  });

  test('null and undefined mean unset', () => {
    expect(wire(CLUSTER, { name: 'c', connectTimeout: null, lbPolicy: null, altStatName: undefined })).toEqual({ name: 'c' });
    expect(() => fromJson(CLUSTER, { dnsResolvers: [undefined] })).toThrow(/got undefined at dnsResolvers\[0\]/);
  });
});

describe('well-known types', () => {
  test.each([
    ['1.5s', '1.500s'], ['0.100s', '0.100s'], ['-1s', '-1s'], ['0s', '0s'], ['1.000000001s', '1.000000001s'],
    ['0.000010s', '0.000010s'], ['-0.5s', '-0.500s'], ['315576000000s', '315576000000s'],
  ])('Duration %s prints as %s', (input, printed) => {
    expect(wire('google.protobuf.Duration', input)).toBe(printed);
  });

  test.each(['5', '1.5', 's', '1.5 s', '1.1234567891s', '315576000001s', '+1s'])('Duration %j is rejected', (bad) => {
    expect(codecError(() => fromJson(CLUSTER, { connectTimeout: bad })).message).toMatch(/google\.protobuf\.Duration: expected a duration.* at connectTimeout/);
  });

  test('a Duration given as a number is rejected', () => {
    expect(() => fromJson(CLUSTER, { connectTimeout: 5 })).toThrow(CodecError);
  });

  test('Timestamp (RFC 3339, offsets normalized to Z, fractional digits 0/3/6/9)', () => {
    expect(wire('google.protobuf.Timestamp', '1972-01-01T10:00:20.021Z')).toBe('1972-01-01T10:00:20.021Z');
    expect(wire('google.protobuf.Timestamp', '2024-02-29T01:00:00+01:00')).toBe('2024-02-29T00:00:00Z');
    expect(wire('google.protobuf.Timestamp', '1969-12-31T23:59:59.5Z')).toBe('1969-12-31T23:59:59.500Z');
    expect(wire('google.protobuf.Timestamp', '0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00Z');
    for (const bad of ['2023-02-29T00:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00', 'yesterday']) {
      expect(() => fromJson('google.protobuf.Timestamp', bad), bad).toThrow(CodecError);
    }
    const state = { lastUpdateAttempt: '2024-05-01T12:00:00.000001Z', details: 'nack' };
    expect(wire('envoy.admin.v3.UpdateFailureState', state)).toEqual(state);
  });

  test('Struct, Value and ListValue are plain JSON', () => {
    const json = { a: 1.5, b: 'x', c: true, d: null, e: [1, 'two', [3], { f: {} }], g: {} };
    expect(wire('google.protobuf.Struct', json)).toEqual(json);
    expect(wire('google.protobuf.Value', [null, 2])).toEqual([null, 2]);
    expect(wire('google.protobuf.ListValue', [])).toEqual([]);
    expect(() => fromJson('google.protobuf.Struct', [1])).toThrow(/expected an object/);
    expect(() => fromJson('google.protobuf.Value', Number.NaN)).toThrow(/finite/);
  });

  test('wrappers are plain values (64-bit ones as strings, zero kept)', () => {
    expect(wire('google.protobuf.UInt32Value', 7)).toBe(7);
    expect(wire('google.protobuf.BoolValue', false)).toBe(false);
    expect(wire('google.protobuf.DoubleValue', 0.25)).toBe(0.25);
    expect(wire('google.protobuf.DoubleValue', 'Infinity')).toBe('Infinity');
    expect(wire('google.protobuf.FloatValue', 0.1)).toBe(0.1);
    expect(wire('google.protobuf.StringValue', '')).toBe('');
    expect(wire('google.protobuf.Int64Value', '-9007199254740993')).toBe('-9007199254740993');
    expect(wire('google.protobuf.UInt64Value', '18446744073709551615')).toBe('18446744073709551615');
    expect(wire('google.protobuf.BytesValue', 'aGVsbG8=')).toBe('aGVsbG8=');
    expect(() => fromJson('google.protobuf.UInt32Value', -1)).toThrow(/uint32/);
    expect(() => fromJson('google.protobuf.UInt32Value', { value: 1 })).toThrow(/expected a uint32/);
    expect(() => fromJson('google.protobuf.BoolValue', 'true')).toThrow(/boolean/);
  });

  test('FieldMask and Empty', () => {
    expect(wire('google.protobuf.FieldMask', 'foo.barBaz,qux')).toBe('foo.barBaz,qux');
    const fm = fromJson('google.protobuf.FieldMask', 'fooBar') as unknown as { paths: string[] };
    expect(fm.paths).toEqual(['foo_bar']);
    expect(() => fromJson('google.protobuf.FieldMask', 'foo_bar')).toThrow(CodecError);
    expect(wire('google.protobuf.Empty', {})).toEqual({});
    expect(() => fromJson('google.protobuf.Empty', { x: 1 })).toThrow(/unknown field "x"/);
  });

  test('Any of a well-known type uses the "value" form', () => {
    const any = { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '2s' };
    expect(wire('google.protobuf.Any', any)).toEqual(any);
    const nested = { '@type': 'type.googleapis.com/google.protobuf.Any', value: { '@type': 'type.googleapis.com/google.protobuf.Struct', value: { k: ['v'] } } };
    expect(wire('google.protobuf.Any', nested)).toEqual(nested);
    expect(() => fromJson('google.protobuf.Any', { '@type': any['@type'], seconds: 2 })).toThrow(/unknown field "seconds"/);
    expect(wire('google.protobuf.Any', {})).toEqual({});
  });

  test('bytes are base64 (standard out; URL-safe and unpadded in)', () => {
    const hv = { key: 'x-bin', rawValue: '/+8=' };
    expect(wire('envoy.config.core.v3.HeaderValue', hv)).toEqual(hv);
    expect(wire('envoy.config.core.v3.HeaderValue', { key: 'x-bin', rawValue: '_-8' })).toEqual(hv);
    expect(() => fromJson('envoy.config.core.v3.HeaderValue', { rawValue: 'not base64!' })).toThrow(/base64/);
  });

  test('int64 map keys survive protobufjs key hashing', () => {
    const info = { positions: { '42': 7, '-5': 1 }, macroCalls: { '9007199254740993': { id: '3' } } };
    expect(wire('google.api.expr.v1alpha1.SourceInfo', info)).toEqual(info);
    expect(() => fromJson('google.api.expr.v1alpha1.SourceInfo', { positions: { x: 1 } })).toThrow(/positions\.x/);
  });
});

describe('strictness', () => {
  test('a misspelled top-level field names the type and the path', () => {
    const err = codecError(() => fromJson(CLUSTER, { name: 'c', conectTimeout: '1s' }, 'cluster'));
    expect(err.message).toBe('envoy.config.cluster.v3.Cluster: unknown field "conectTimeout" at cluster.conectTimeout');
    expect(err.path).toBe('cluster.conectTimeout');
  });

  test('a misspelled field deep inside repeated messages and an Any', () => {
    const json = listener() as any;
    json.filterChains[0].filters[0].typedConfig.httpFilters[1].typedConfig.startChildSpn = true;
    const err = codecError(() => encodeResource(TypeUrl.Listener, json));
    expect(err.message).toBe(
      'envoy.extensions.filters.http.router.v3.Router: unknown field "startChildSpn" at filterChains[0].filters[0].typedConfig.httpFilters[1].typedConfig.startChildSpn',
    );
  });

  test('a misspelled field inside a map value uses the key in the path', () => {
    const json = routeConfiguration() as any;
    json.virtualHosts[0].routes[0].typedPerFilterConfig['envoy.filters.http.fault'].abort.httpStatuz = 500;
    expect(codecError(() => fromJson(ROUTE, json)).path).toBe(
      'virtualHosts[0].routes[0].typedPerFilterConfig["envoy.filters.http.fault"].abort.httpStatuz',
    );
  });

  test.each([
    [{ name: 5 }, /expected a string, got number 5 at name/],
    [{ name: 'c', connectTimeout: {} }, /expected a duration/],
    [{ name: 'c', circuitBreakers: { thresholds: { maxRetries: 1 } } }, /expected an array, got an object at circuitBreakers\.thresholds/],
    [{ name: 'c', circuitBreakers: [] }, /expected an object, got an array at circuitBreakers/],
    [{ name: 'c', perConnectionBufferLimitBytes: '12x' }, /expected a uint32/],
    [{ name: 'c', perConnectionBufferLimitBytes: 1.5 }, /expected a uint32/],
    [{ name: 'c', respectDnsTtl: 1 }, /expected a boolean/],
    [{ name: 'c', metadata: { filterMetadata: [] } }, /expected an object \(map\)/],
    [{ name: 'c', loadAssignment: { clusterName: 'x', endpoints: [null] } }, /null is not allowed here at loadAssignment\.endpoints\[0\]/],
  ])('wrong JSON type %j', (json, message) => {
    expect(() => fromJson(CLUSTER, json)).toThrow(message);
  });

  test('unknown enum names are errors, unknown enum numbers are kept (proto3 enums are open)', () => {
    expect(() => fromJson(CLUSTER, { lbPolicy: 'ROUND_ROBBIN' })).toThrow(
      'envoy.config.cluster.v3.Cluster: unknown enum value "ROUND_ROBBIN" for envoy.config.cluster.v3.Cluster.LbPolicy at lbPolicy',
    );
    expect(() => fromJson(CLUSTER, { lbPolicy: true })).toThrow(/enum name or number/);
    expect(wire(CLUSTER, { lbPolicy: 99 })).toEqual({ lbPolicy: 99 });
  });

  test('unknown @type and missing @type', () => {
    const json = cluster() as any;
    json.typedExtensionProtocolOptions['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']['@type'] = 'type.googleapis.com/envoy.Nope';
    expect(() => fromJson(CLUSTER, json)).toThrow(
      'google.protobuf.Any: unknown @type "type.googleapis.com/envoy.Nope" at typedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]["@type"]',
    );
    expect(() => fromJson('google.protobuf.Any', { statPrefix: 'x' })).toThrow(/needs a "@type"/);
  });

  test('two members of one oneof', () => {
    expect(() => fromJson('envoy.config.route.v3.RouteAction', { cluster: 'a', clusterHeader: 'b' })).toThrow(
      'envoy.config.route.v3.RouteAction: oneof clusterSpecifier has both cluster and clusterHeader set at clusterHeader',
    );
    // One set, one null: fine.
    expect(wire('envoy.config.route.v3.RouteAction', { cluster: 'a', clusterHeader: null })).toEqual({ cluster: 'a' });
  });

  test('the same field spelled twice', () => {
    expect(() => fromJson(CLUSTER, { connectTimeout: '1s', connect_timeout: '2s' })).toThrow(/given twice/);
  });

  test('integers out of range and 64-bit strings', () => {
    expect(() => fromJson('envoy.config.core.v3.SocketAddress', { portValue: 4294967296 })).toThrow(/uint32/);
    expect(() => fromJson('google.protobuf.Int64Value', '9223372036854775808')).toThrow(/int64/);
    expect(wire('google.protobuf.Int64Value', '9223372036854775807')).toBe('9223372036854775807');
  });

  test('HTTPFault inside typedPerFilterConfig is checked against its own type', () => {
    const bad = { '@type': FAULT_URL, delay: { fixedDelay: '5s', percentage: { numerator: 100, denominator: 'HUNDREDS' } } };
    expect(() => fromJson('envoy.config.route.v3.Route', { typedPerFilterConfig: { f: bad } })).toThrow(/unknown enum value "HUNDREDS"/);
  });
});
