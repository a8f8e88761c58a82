// Delta (incremental) xDS messages: DeltaDiscoveryRequest decoded into a plain object,
// DeltaDiscoveryResponse encoded with each Resource's Any carrying bytes the resource cache
// already encoded (never re-encoded per stream), as ads-service.ts does for SotW.
import protobuf from 'protobufjs';
import { lookupType } from '../envoy/protos.js';
import type { NodeInfo } from '../translate/proxy.js';
import { nodeInfo } from './ads-service.js';
import type { EncodedAny, ErrorDetail, RawNode } from './ads-service.js';
import type { ResourcesBlock } from './wire.js';

export interface DeltaDiscoveryRequest {
  node: NodeInfo | undefined;
  typeUrl: string;
  resourceNamesSubscribe: string[];
  resourceNamesUnsubscribe: string[];
  /** name → version the client already holds (first request of a type after a reconnect). */
  initialResourceVersions: Map<string, string>;
  responseNonce: string;
  errorDetail: ErrorDetail | undefined;
}

/** envoy.service.discovery.v3.Resource as we send it. */
export interface DeltaResource {
  name: string;
  /** The content hash the resource cache computed: stable across pushes and restarts. */
  version: string;
  resource: EncodedAny;
  /** This Resource as a DeltaDiscoveryResponse `resources` entry (wire.ts), when the cache built it. */
  readonly entry?: Buffer;
}

export interface DeltaDiscoveryResponse {
  /** For debugging only (the PushContext version); clients must not interpret it. */
  systemVersionInfo: string;
  resources: DeltaResource[];
  typeUrl: string;
  removedResources: string[];
  nonce: string;
  /** `resources` already encoded as one block (wire.ts): what the serializer sends for them. */
  resourcesBlock?: ResourcesBlock;
}

let codecs: { response: protobuf.Type; node: protobuf.Type; status: protobuf.Type } | undefined;
function types(): { response: protobuf.Type; node: protobuf.Type; status: protobuf.Type } {
  codecs ??= {
    response: lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
    node: lookupType('envoy.config.core.v3.Node'),
    status: lookupType('google.rpc.Status'),
  };
  return codecs;
}

const LEN = 2;

/**
 * DeltaDiscoveryRequest, read field by field. A reconnecting all-seeing proxy sends
 * thousands of initial_resource_versions entries per type; decoded by protobufjs they went
 * through an object with thousands of keys and then into a Map, most of a reconnect
 * storm's server CPU. Here each entry goes straight into the Map. Node and error_detail,
 * rare and small, still go through protobufjs.
 */
export function decodeDeltaRequest(buf: Buffer): DeltaDiscoveryRequest {
  const r = protobuf.Reader.create(buf);
  const out: DeltaDiscoveryRequest = {
    node: undefined,
    typeUrl: '',
    resourceNamesSubscribe: [],
    resourceNamesUnsubscribe: [],
    initialResourceVersions: new Map(),
    responseNonce: '',
    errorDetail: undefined,
  };
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN:
        out.node = nodeInfo(types().node.decode(r.bytes()) as unknown as RawNode);
        break;
      case (2 << 3) | LEN:
        out.typeUrl = r.string();
        break;
      case (3 << 3) | LEN:
        out.resourceNamesSubscribe.push(r.string());
        break;
      case (4 << 3) | LEN:
        out.resourceNamesUnsubscribe.push(r.string());
        break;
      case (5 << 3) | LEN: {
        const end = r.uint32() + r.pos;
        let key = '';
        let value = '';
        while (r.pos < end) {
          const t = r.uint32();
          if (t === ((1 << 3) | LEN)) key = r.string();
          else if (t === ((2 << 3) | LEN)) value = r.string();
          else r.skipType(t & 7);
        }
        out.initialResourceVersions.set(key, value);
        break;
      }
      case (6 << 3) | LEN:
        out.responseNonce = r.string();
        break;
      case (7 << 3) | LEN: {
        const st = types().status.decode(r.bytes()) as unknown as { code: number; message: string };
        out.errorDetail = { code: st.code, message: st.message };
        break;
      }
      default:
        r.skipType(tag & 7);
    }
  }
  return out;
}

export function encodeDeltaResponse(r: DeltaDiscoveryResponse): Buffer {
  // As for SotW (ads-service.ts): pre-encoded entries are concatenated, not re-encoded.
  if (r.resourcesBlock) {
    const { systemVersionInfo, typeUrl, removedResources, nonce } = r;
    return r.resourcesBlock.frame(types().response.encode({ systemVersionInfo, typeUrl, removedResources, nonce }).finish());
  }
  const u8 = types().response.encode(r).finish();
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
