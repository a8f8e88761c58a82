import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { envoyRoot, findProtoDir, lookupType, protoFiles, typeFromUrl, typeUrlOf } from '../../src/envoy/protos.js';
import { TypeUrl } from '../../src/translate/api.js';

const repo = join(import.meta.dirname, '..', '..');

describe('envoyRoot', () => {
  test('is built once per process', () => {
    expect(envoyRoot()).toBe(envoyRoot());
  });

  test('every ENTRY_POINTS file of scripts/sync-protos.mjs is loaded', () => {
    // Importing the script would run the sync, so read the list from its text.
    const script = readFileSync(join(repo, 'scripts', 'sync-protos.mjs'), 'utf8');
    const block = /ENTRY_POINTS = \[([^\]]*)\]/.exec(script)?.[1] ?? '';
    const listed = [...block.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(10);
    const files = new Set(protoFiles());
    const loaded = new Set(envoyRoot().files.map((f) => f.replace(/\\/g, '/')));
    for (const entry of listed) {
      expect(files.has(entry), entry).toBe(true);
      expect(loaded.has(join(findProtoDir(), entry)), entry).toBe(true);
    }
  });

  test('every entry point and well-known type is loaded, with camelCase field names', () => {
    for (const url of Object.values(TypeUrl)) expect(typeFromUrl(url)).toBeInstanceOf(protobuf.Type);
    for (const t of ['Any', 'Duration', 'Timestamp', 'Struct', 'Value', 'FieldMask', 'Empty', 'UInt32Value']) {
      expect(lookupType(`google.protobuf.${t}`).fullName).toBe(`.google.protobuf.${t}`);
    }
    expect(lookupType('envoy.service.discovery.v3.DiscoveryRequest').fields['versionInfo']).toBeDefined();
    expect(lookupType('envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication')).toBeInstanceOf(protobuf.Type);
    expect(lookupType('.envoy.config.cluster.v3.Cluster')).toBe(lookupType('envoy.config.cluster.v3.Cluster'));
  });

  test('lookups of unknown types fail clearly', () => {
    expect(() => lookupType('envoy.config.cluster.v3.Clustr')).toThrow(/unknown message type envoy\.config\.cluster\.v3\.Clustr/);
    expect(() => lookupType('envoy.config.cluster.v3.Cluster.LbPolicy')).toThrow(/unknown message type/); // an enum
    expect(() => typeFromUrl('envoy.config.cluster.v3.Cluster')).toThrow(/not a type URL/);
  });

  test('typeUrlOf is the inverse of typeFromUrl', () => {
    expect(typeUrlOf(typeFromUrl(TypeUrl.Listener))).toBe(TypeUrl.Listener);
    expect(typeUrlOf('envoy.config.route.v3.RouteConfiguration')).toBe(TypeUrl.RouteConfiguration);
  });
});

describe('findProtoDir', () => {
  test('finds proto/ from src/envoy and from dist/src/envoy alike', () => {
    const expected = join(repo, 'proto');
    expect(findProtoDir(join(repo, 'src', 'envoy'))).toBe(expected);
    expect(findProtoDir(join(repo, 'dist', 'src', 'envoy'))).toBe(expected);
    expect(findProtoDir()).toBe(expected);
  });

  test('throws when there is no proto/envoy above', () => {
    expect(() => findProtoDir('/')).toThrow(/proto\/envoy not found/);
  });
});
