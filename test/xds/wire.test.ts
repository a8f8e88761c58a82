// Responses built from pre-encoded entries (wire.ts) must decode exactly like responses
// protobufjs encodes field by field: same resources, same order, same scalar fields.
import { describe, expect, it } from 'vitest';
import { lookupType } from '../../src/envoy/protos.js';
import { encodeDiscoveryResponse } from '../../src/xds/ads-service.js';
import { encodeDeltaResponse } from '../../src/xds/delta-codec.js';
import { deltaEntry, EntriesBlocks, ResourcesBlock, sotwEntry } from '../../src/xds/wire.js';

const CLA = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
const values = [Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]), Buffer.alloc(300, 1), Buffer.alloc(0)];

function decode(type: string, b: Buffer): unknown {
  const t = lookupType(type);
  return t.toObject(t.decode(b), { longs: String, bytes: String, defaults: true });
}

describe('responses from pre-encoded entries', () => {
  it('SotW: the same message as encoding every Any', () => {
    const plain = values.map((value) => ({ type_url: CLA, value }));
    const block = new EntriesBlocks((a: { type_url: string; value: Buffer }) => sotwEntry(a.type_url, a.value)).of(plain);
    const base = { versionInfo: 'v7', typeUrl: CLA, nonce: 'n-1' };
    const a = encodeDiscoveryResponse({ ...base, resources: plain });
    const b = encodeDiscoveryResponse({ ...base, resources: plain, resourcesBlock: block });
    expect(b.equals(a)).toBe(false); // field order differs: the shortcut really ran
    expect(decode('envoy.service.discovery.v3.DiscoveryResponse', b)).toEqual(decode('envoy.service.discovery.v3.DiscoveryResponse', a));
  });

  it('delta: the same message as encoding every Resource, removed names included', () => {
    const resources = values.map((value, i) => ({ name: `outbound|80||s${i}.ns.svc.cluster.local`, version: `h${i}`, resource: { type_url: CLA, value } }));
    const block = new EntriesBlocks((r: (typeof resources)[number]) => deltaEntry(r.name, r.version, CLA, r.resource.value)).of(resources);
    const base = { systemVersionInfo: 'v3', typeUrl: CLA, nonce: 'n-2', removedResources: ['gone-a', 'gone-b'] };
    const a = encodeDeltaResponse({ ...base, resources });
    const b = encodeDeltaResponse({ ...base, resources, resourcesBlock: block });
    expect(b.equals(a)).toBe(false);
    expect(decode('envoy.service.discovery.v3.DeltaDiscoveryResponse', b)).toEqual(decode('envoy.service.discovery.v3.DeltaDiscoveryResponse', a));
  });

  it('an empty response is just its scalar fields', () => {
    const b = encodeDiscoveryResponse({ versionInfo: 'v1', typeUrl: CLA, nonce: 'n', resources: [] });
    expect(decode('envoy.service.discovery.v3.DiscoveryResponse', b)).toMatchObject({ versionInfo: 'v1', resources: [] });
  });

  it('frames a shared block in place: a view valid until the next frame, long heads copied', () => {
    const block = ResourcesBlock.of([Buffer.from('abc'), Buffer.from('de')]);
    expect(block.length).toBe(5);
    const first = block.frame(Buffer.from('H1'));
    expect(first.toString()).toBe('H1abcde');
    const copy = Buffer.from(first); // what grpc-js does with it at once
    const second = block.frame(Buffer.from('HEAD2'));
    expect(second.toString()).toBe('HEAD2abcde');
    expect(copy.toString()).toBe('H1abcde');
    const long = Buffer.alloc(600, 0x41);
    const third = block.frame(long);
    expect(third.length).toBe(605);
    expect(third.subarray(600).toString()).toBe('abcde');
    expect(block.frame(Buffer.from('x')).toString()).toBe('xabcde'); // the copy left the block intact
  });
});
