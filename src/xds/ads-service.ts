// The ADS gRPC service definition, built by hand on protobufjs types from envoyRoot() rather
// than through @grpc/proto-loader: responses carry resources that the resource cache already
// encoded, and the hand-written serializer puts those bytes in the Any values untouched.
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { lookupType } from '../envoy/protos.js';
import type { NodeInfo } from '../translate/proxy.js';
import { decodeDeltaRequest, encodeDeltaResponse } from './delta-codec.js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from './delta-codec.js';
import type { ResourcesBlock } from './wire.js';

export const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** google.rpc.Status as far as a NACK needs it. */
export interface ErrorDetail {
  code: number;
  message: string;
}

/** A decoded envoy.service.discovery.v3.DiscoveryRequest (proto3 defaults filled in). */
export interface DiscoveryRequest {
  versionInfo: string;
  /** Present on the first request of a stream; metadata already plain JSON. */
  node: NodeInfo | undefined;
  resourceNames: string[];
  typeUrl: string;
  responseNonce: string;
  /** Set only on a NACK. */
  errorDetail: ErrorDetail | undefined;
}

/**
 * google.protobuf.Any with its value already encoded. `type_url` is snake_case on purpose:
 * protobufjs' bundled Any keeps the .proto field name even in a camelCase Root, and encode()
 * would silently drop a `typeUrl` property.
 */
export interface EncodedAny {
  type_url: string;
  value: Uint8Array;
  /** This Any as a DiscoveryResponse `resources` entry (wire.ts), when the cache built it. */
  readonly entry?: Buffer;
}

export interface DiscoveryResponse {
  versionInfo: string;
  resources: EncodedAny[];
  typeUrl: string;
  nonce: string;
  /** `resources` already encoded as one block (wire.ts): what the serializer sends for them. */
  resourcesBlock?: ResourcesBlock;
}

// The shapes protobufjs' decode() produces for the fields we read. Message instances keep
// proto3 defaults on their prototype, so unset strings read as '' and unset messages as null.
interface RawValue {
  nullValue?: number | null;
  numberValue?: number | null;
  stringValue?: string | null;
  boolValue?: boolean | null;
  structValue?: RawStruct | null;
  listValue?: { values?: RawValue[] } | null;
  kind?: string;
}
interface RawStruct {
  fields?: Record<string, RawValue>;
}
export interface RawNode {
  id: string;
  cluster: string;
  metadata: RawStruct | null;
  userAgentName: string;
  /** A oneof member: null (not '') when unset. */
  userAgentVersion: string | null;
  userAgentBuildVersion: { version: { majorNumber: number; minorNumber: number; patch: number } | null } | null;
}
interface RawRequest {
  versionInfo: string;
  node: RawNode | null;
  resourceNames: string[];
  typeUrl: string;
  responseNonce: string;
  errorDetail: { code: number; message: string } | null;
}

/** google.protobuf.Value → plain JSON. The oneof's virtual `kind` names the set member. */
function valueToJson(v: RawValue): unknown {
  switch (v.kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return v.numberValue;
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'structValue':
      return v.structValue ? structToJson(v.structValue) : {};
    case 'listValue':
      return (v.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

/** google.protobuf.Struct (as decoded) → plain JSON object, the form parseProxy reads. */
export function structToJson(s: RawStruct): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.fields ?? {})) out[k] = valueToJson(v);
  return out;
}

interface Codecs {
  request: protobuf.Type;
  response: protobuf.Type;
}
let codecs: Codecs | undefined;
function types(): Codecs {
  codecs ??= {
    request: lookupType('envoy.service.discovery.v3.DiscoveryRequest'),
    response: lookupType('envoy.service.discovery.v3.DiscoveryResponse'),
  };
  return codecs;
}

/** A decoded core.v3.Node → the NodeInfo parseProxy reads (shared with the delta codec). */
export function nodeInfo(raw: RawNode | null): NodeInfo | undefined {
  if (!raw) return undefined;
  // The user agent lets parseProxy gate features by client release (grpc-client-features.ts).
  const v = raw.userAgentBuildVersion?.version;
  return {
    id: raw.id,
    cluster: raw.cluster,
    metadata: raw.metadata ? structToJson(raw.metadata) : {},
    userAgentName: raw.userAgentName,
    userAgentVersion: raw.userAgentVersion ?? '',
    ...(v ? { userAgentBuildVersion: { version: { majorNumber: v.majorNumber, minorNumber: v.minorNumber, patch: v.patch } } } : {}),
  };
}

export function decodeDiscoveryRequest(buf: Buffer): DiscoveryRequest {
  const raw = types().request.decode(buf) as unknown as RawRequest;
  const node = nodeInfo(raw.node);
  return {
    versionInfo: raw.versionInfo,
    node,
    resourceNames: [...raw.resourceNames],
    typeUrl: raw.typeUrl,
    responseNonce: raw.responseNonce,
    errorDetail: raw.errorDetail ? { code: raw.errorDetail.code, message: raw.errorDetail.message } : undefined,
  };
}

export function encodeDiscoveryResponse(r: DiscoveryResponse): Buffer {
  // The responder passes the resources already encoded as one block: the response is the
  // scalar fields framed in front of those bytes (wire.ts), returned as a view that grpc-js
  // copies at once. Otherwise encode() (not fromObject) reads plain objects as-is: each
  // Any's value is copied in as a length-delimited field, never re-encoded.
  if (r.resourcesBlock) {
    return r.resourcesBlock.frame(types().response.encode({ versionInfo: r.versionInfo, typeUrl: r.typeUrl, nonce: r.nonce }).finish());
  }
  const u8 = types().response.encode(r).finish();
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

function unused(name: string): () => never {
  return () => {
    throw new Error(`${name}: not used by the server`);
  };
}

/** The two bidi ADS methods: state of the world and delta (incremental). */
export function adsServiceDefinition(): ServiceDefinition {
  types(); // load the Root now, not on the first stream
  const sotw: MethodDefinition<DiscoveryRequest, DiscoveryResponse> = {
    path: `/${ADS_SERVICE}/StreamAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: unused('requestSerialize'),
    requestDeserialize: decodeDiscoveryRequest,
    responseSerialize: encodeDiscoveryResponse,
    responseDeserialize: unused('responseDeserialize'),
    originalName: 'streamAggregatedResources',
  };
  const delta: MethodDefinition<DeltaDiscoveryRequest, DeltaDiscoveryResponse> = {
    path: `/${ADS_SERVICE}/DeltaAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: unused('requestSerialize'),
    requestDeserialize: decodeDeltaRequest,
    responseSerialize: encodeDeltaResponse,
    responseDeserialize: unused('responseDeserialize'),
    originalName: 'deltaAggregatedResources',
  };
  return { StreamAggregatedResources: sotw, DeltaAggregatedResources: delta };
}
