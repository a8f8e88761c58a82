import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { lookupType } from '../../src/envoy/protos.js';
import { jsonNameOf, typeInfo } from '../../src/envoy/type-info.js';

describe('typeInfo', () => {
  test('json names follow protoc, not protobufjs camelCase, for digits after underscores', () => {
    const od = typeInfo(lookupType('envoy.config.cluster.v3.OutlierDetection'));
    const c5xx = od.fields.find((f) => f.protoName === 'consecutive_5xx')!;
    expect(c5xx.prop).toBe('consecutive_5xx'); // what protobufjs made of it
    expect(c5xx.jsonName).toBe('consecutive5xx');
    const hcm = typeInfo(lookupType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'));
    expect(hcm.byJsonKey.get('proxy100Continue')?.protoName).toBe('proxy_100_continue');
    expect(hcm.byJsonKey.get('proxy_100_continue')?.jsonName).toBe('proxy100Continue');
    expect(jsonNameOf('accept_http_10')).toBe('acceptHttp10');
  });

  test('presence: oneof members and message fields have it, plain scalars do not', () => {
    const sa = typeInfo(lookupType('envoy.config.core.v3.SocketAddress'));
    const byName = (n: string) => sa.fields.find((f) => f.jsonName === n)!;
    expect(byName('portValue').presence).toBe(true);
    expect(byName('portValue').oneof?.name).toBe('portSpecifier');
    expect(byName('address').presence).toBe(false);
    const cluster = typeInfo(lookupType('envoy.config.cluster.v3.Cluster'));
    expect(cluster.fields.find((f) => f.jsonName === 'connectTimeout')!.presence).toBe(true);
    expect(cluster.fields.find((f) => f.jsonName === 'altStatName')!.presence).toBe(false);
  });

  test('a proto3 `optional` scalar has presence but no (synthetic) oneof', () => {
    const root = protobuf.parse('syntax = "proto3"; package t; message M { optional uint32 n = 1; oneof o { string a = 2; } }', { keepCase: false }).root;
    const info = typeInfo(root.lookupType('t.M'));
    const n = info.fields.find((f) => f.jsonName === 'n')!;
    expect(n.presence).toBe(true);
    expect(n.oneof).toBeUndefined();
    expect(info.oneofs.map((o) => o.name)).toEqual(['o']);
  });

  test('tables are built once per type', () => {
    const t = lookupType('envoy.config.route.v3.Route');
    expect(typeInfo(t)).toBe(typeInfo(t));
  });
});
