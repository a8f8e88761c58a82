// The simulated clients' side of the wire, kept cheap: on a 2-core machine the clients
// share the CPU with the server they measure, so what they spend is charged to it. A
// response is scanned for the few fields a client acts on (nonce, version, type, and the
// resources' bytes) instead of decoded whole, and a SotW request's resource names, which
// an ACK repeats every time, are encoded once per list.
import protobuf from 'protobufjs';
import { lookupType } from '../src/envoy/protos.js';

const request = lookupType('envoy.service.discovery.v3.DiscoveryRequest');
const deltaRequest = lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');

/** What a client reads of a DiscoveryResponse; `values` are the Anys' value bytes (views). */
export interface SotwScan {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  values: Buffer[];
}

/** What a client reads of a DeltaDiscoveryResponse. */
export interface DeltaScan {
  typeUrl: string;
  nonce: string;
  resources: { name: string; version: string; value: Buffer | undefined }[];
  removed: string[];
}

const LEN = 2;

/** The value (field 2) of an encoded google.protobuf.Any. */
function anyValue(b: Buffer): Buffer {
  const r = protobuf.Reader.create(b);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | LEN)) return r.bytes() as Buffer;
    r.skipType(tag & 7);
  }
  return Buffer.alloc(0);
}

export function scanSotw(b: Buffer): SotwScan {
  const out: SotwScan = { versionInfo: '', typeUrl: '', nonce: '', values: [] };
  const r = protobuf.Reader.create(b);
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN:
        out.versionInfo = r.string();
        break;
      case (2 << 3) | LEN:
        out.values.push(anyValue(r.bytes() as Buffer));
        break;
      case (4 << 3) | LEN:
        out.typeUrl = r.string();
        break;
      case (5 << 3) | LEN:
        out.nonce = r.string();
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return out;
}

function scanResource(b: Buffer): DeltaScan['resources'][number] {
  const out: DeltaScan['resources'][number] = { name: '', version: '', value: undefined };
  const r = protobuf.Reader.create(b);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LEN)) out.version = r.string();
    else if (tag === ((2 << 3) | LEN)) out.value = anyValue(r.bytes() as Buffer);
    else if (tag === ((3 << 3) | LEN)) out.name = r.string();
    else r.skipType(tag & 7);
  }
  return out;
}

export function scanDelta(b: Buffer): DeltaScan {
  const out: DeltaScan = { typeUrl: '', nonce: '', resources: [], removed: [] };
  const r = protobuf.Reader.create(b);
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case (2 << 3) | LEN:
        out.resources.push(scanResource(r.bytes() as Buffer));
        break;
      case (4 << 3) | LEN:
        out.typeUrl = r.string();
        break;
      case (5 << 3) | LEN:
        out.nonce = r.string();
        break;
      case (6 << 3) | LEN:
        out.removed.push(r.string());
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return out;
}

/** The first string field 1 of a message: a Cluster's or Listener's name. */
export function firstString(bytes: Uint8Array): string {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LEN)) return r.string();
    r.skipType(tag & 7);
  }
  return '';
}

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

// resource_names (field 3) of a names list, encoded once: the list objects are kept by
// the clients until their subscription changes.
const namesBlocks = new WeakMap<readonly string[], Buffer>();
function namesBlock(names: readonly string[]): Buffer {
  let b = namesBlocks.get(names);
  if (!b) {
    b = asBuffer(request.encode({ resourceNames: names }).finish());
    namesBlocks.set(names, b);
  }
  return b;
}

export interface SotwRequest {
  typeUrl: string;
  resourceNames: readonly string[];
  versionInfo?: string;
  responseNonce?: string;
  node?: Record<string, unknown>;
}

/** An encoded DiscoveryRequest (plain objects encode as-is: no fromObject). */
export function encodeSotwRequest(m: SotwRequest): Buffer {
  const { resourceNames, ...rest } = m;
  const head = asBuffer(request.encode(rest).finish());
  return resourceNames.length === 0 ? head : Buffer.concat([head, namesBlock(resourceNames)]);
}

/**
 * An encoded DeltaDiscoveryRequest. `initialVersions` (field 5, a map) is written straight
 * from the client's Map: through an object, 2000 keys per type, it was most of a
 * reconnecting client's CPU.
 */
export function encodeDeltaRequest(m: Record<string, unknown>, initialVersions?: ReadonlyMap<string, string>): Buffer {
  const w = deltaRequest.encode(m);
  if (initialVersions) {
    for (const [k, v] of initialVersions) w.uint32((5 << 3) | LEN).fork().uint32((1 << 3) | LEN).string(k).uint32((2 << 3) | LEN).string(v).ldelim();
  }
  return asBuffer(w.finish());
}
