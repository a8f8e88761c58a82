// The parser's shortcuts (numbers without BigInts, alias bookkeeping only when an alias is
// used, messages built without type.create) must give the same messages, bytes and errors.
import { describe, expect, test } from 'vitest';
import { encodeResource, fromJson } from '../../src/envoy/codec.js';
import { lookupType } from '../../src/envoy/protos.js';
import { toBigInt, toLong } from '../../src/envoy/wkt.js';
import { TypeUrl } from '../../src/translate/api.js';
import { codecError, wire } from './fixtures.js';

const CLUSTER = 'envoy.config.cluster.v3.Cluster';


describe('64-bit integers', () => {
  test.each([
    ['0', 0], ['5', 5], ['-5', -5], ['123456789012345', 123456789012345], ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['-9007199254740991', -Number.MAX_SAFE_INTEGER], ['4294967296', 2 ** 32], ['-4294967297', -(2 ** 32) - 1],
  ])('int64 %s: the same Long as a string or a number', (text, n) => {
    const expected = toLong(BigInt(text), false);
    for (const input of [text, n]) {
      const msg = fromJson('google.protobuf.Int64Value', input) as unknown as { value?: unknown };
      if (text === '0') expect(Object.hasOwn(msg, 'value')).toBe(false); // a wrapper's zero is not written
      else expect({ ...(msg.value as object) }).toEqual({ ...expected });
    }
  });

  test('beyond 2^53 stays exact (strings), and out-of-range is refused', () => {
    for (const text of ['9007199254740993', '-9223372036854775808', '1234567890123456789']) expect(wire('google.protobuf.Int64Value', text)).toBe(text);
    expect(wire('google.protobuf.UInt64Value', '18446744073709551615')).toBe('18446744073709551615');
    expect(() => fromJson('google.protobuf.UInt64Value', -1)).toThrow('expected a uint64 (number or decimal string), got number -1');
    expect(() => fromJson('google.protobuf.UInt64Value', '-1')).toThrow(/expected a uint64/);
    expect(() => fromJson('google.protobuf.Int64Value', 1.5)).toThrow(/expected a int64/);
    expect(() => fromJson('google.protobuf.Int64Value', '1e3')).toThrow(/expected a int64/);
  });

  test('uint64 numbers are unsigned Longs', () => {
    const msg = fromJson('google.protobuf.UInt64Value', 2 ** 40) as unknown as { value: { unsigned: boolean } };
    expect(msg.value.unsigned).toBe(true);
    expect(toBigInt(msg.value, true)).toBe(2n ** 40n);
  });
});

describe('32-bit integers', () => {
  test('-0 is 0 (as the BigInt round trip made it)', () => {
    const sa = fromJson('envoy.config.core.v3.SocketAddress', { address: '::', portValue: -0 }) as unknown as { portValue: number };
    expect(Object.is(sa.portValue, 0)).toBe(true);
  });

  test('bounds and decimal strings', () => {
    expect(wire('google.protobuf.Int32Value', '-2147483648')).toBe(-2147483648);
    expect(wire('google.protobuf.UInt32Value', 4294967295)).toBe(4294967295);
    expect(() => fromJson('google.protobuf.Int32Value', 2147483648)).toThrow('expected a int32, got number 2147483648');
  });
});

describe('a field named twice', () => {
  const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
  test.each([
    [CLUSTER, { connect_timeout: '1s', connectTimeout: '2s' }, 'connectTimeout'],
    [CLUSTER, { connectTimeout: '1s', name: 'c', connect_timeout: '2s' }, 'connect_timeout'],
    // protoc's json name, the .proto name and protobufjs's own name are three spellings.
    [HCM, { statPrefix: 's', proxy_100Continue: true, proxy_100_continue: false }, 'proxy_100_continue'],
    [HCM, { proxy_100_continue: true, statPrefix: 's', proxy100Continue: true }, 'proxy100Continue'],
  ])('%s %j fails at the later spelling', (typeName, json, at) => {
    const err = codecError(() => fromJson(typeName, json));
    expect(err.message).toMatch(/is given twice/);
    expect(err.path).toBe(at);
  });

  test('aliases alone, each once, are fine', () => {
    expect(wire(CLUSTER, { name: 'c', connect_timeout: '1s', lb_policy: 'RING_HASH' })).toEqual({ name: 'c', connectTimeout: '1s', lbPolicy: 'RING_HASH' });
  });
});

describe('parsed messages', () => {
  test('unset repeated and map fields read as empty and encode to nothing', () => {
    const msg = fromJson(CLUSTER, { name: 'c' }) as unknown as Record<string, unknown>;
    expect(msg['dnsResolvers']).toEqual([]);
    expect(Object.keys(msg)).toEqual(['name']);
    expect(Buffer.from(lookupType(CLUSTER).encode(msg).finish())).toEqual(Buffer.from(encodeResource(TypeUrl.Cluster, { name: 'c', dnsResolvers: [] })));
  });

  test('error paths for scalars in lists and maps', () => {
    expect(codecError(() => fromJson(CLUSTER, { name: 'c', loadAssignment: { clusterName: 'x', endpoints: [{ lbEndpoints: [{ loadBalancingWeight: 'x' }] }] } })).path)
      .toBe('loadAssignment.endpoints[0].lbEndpoints[0].loadBalancingWeight');
    expect(codecError(() => fromJson(CLUSTER, { name: 'c', metadata: { filterMetadata: { 'a.b': [] } } })).path).toBe('metadata.filterMetadata["a.b"]');
  });
});
