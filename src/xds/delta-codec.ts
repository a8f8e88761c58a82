// Delta (incremental) xDS messages: DeltaDiscoveryRequest decoded into a plain object,
// DeltaDiscoveryResponse encoded with each Resource's Any carrying bytes the resource cache
// already encoded (never re-encoded per stream), as ads-service.ts does for SotW.
import type protobuf from 'protobufjs';
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

interface RawDeltaRequest {
  node: RawNode | null;
  typeUrl: string;
  resourceNamesSubscribe: string[];
  resourceNamesUnsubscribe: string[];
  initialResourceVersions: Record<string, string> | null;
  responseNonce: string;
  errorDetail: { code: number; message: string } | null;
}

let codecs: { request: protobuf.Type; response: protobuf.Type } | undefined;
function types(): { request: protobuf.Type; response: protobuf.Type } {
  codecs ??= {
    request: lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest'),
    response: lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
  };
  return codecs;
}

export function decodeDeltaRequest(buf: Buffer): DeltaDiscoveryRequest {
  const raw = types().request.decode(buf) as unknown as RawDeltaRequest;
  return {
    node: nodeInfo(raw.node),
    typeUrl: raw.typeUrl,
    resourceNamesSubscribe: [...raw.resourceNamesSubscribe],
    resourceNamesUnsubscribe: [...raw.resourceNamesUnsubscribe],
    initialResourceVersions: new Map(Object.entries(raw.initialResourceVersions ?? {})),
    responseNonce: raw.responseNonce,
    errorDetail: raw.errorDetail ? { code: raw.errorDetail.code, message: raw.errorDetail.message } : undefined,
  };
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
