// Strict proto3 canonical JSON <-> protobufjs messages, by reflection on the Envoy Root.
// protobufjs's own fromObject silently drops unknown fields and accepts anything
// number-ish, so a typo in a generated resource would vanish on the wire. Here every
// unknown field, wrong JSON type, unknown enum name or doubly-set oneof is an error naming
// its JSON path.
import type protobuf from 'protobufjs';
import { lookupType, typeNameFromUrl } from './protos.js';
import { CodecError, isPlainObject } from './codec-common.js';
import { parseMessage } from './json-parse.js';
import { printMessage } from './json-print.js';

export { CodecError, isPlainObject, isWrapperType, joinPath } from './codec-common.js';
export { parsedAnyPayload } from './json-parse.js';

/** Parses proto3 JSON strictly into a `typeName` message; `path` prefixes error paths. */
export function fromJson(typeName: string, json: unknown, path = ''): protobuf.Message {
  return parseMessage(lookupType(typeName), json, path);
}

// ---- toJson ------------------------------------------------------------------------

/** Canonical proto3 JSON of a message (or of its bytes) as Envoy's config_dump prints it. */
export function toJson(typeName: string, message: protobuf.Message | Uint8Array): Record<string, unknown> {
  const out = toJsonValue(typeName, message);
  if (!isPlainObject(out)) throw new CodecError(`${typeName}: JSON form is not an object; use toJsonValue`, '');
  return out;
}

/** Like toJson, for any type (Duration → "5s", wrappers → plain values). */
export function toJsonValue(typeName: string, message: protobuf.Message | Uint8Array): unknown {
  const type = lookupType(typeName);
  return printMessage(type, message instanceof Uint8Array ? type.decode(message) : message);
}
// ---- resources ---------------------------------------------------------------------

/** Strictly encodes an xDS resource body (proto3 JSON without "@type") to protobuf bytes. */
export function encodeResource(typeUrl: string, body: Record<string, unknown>): Uint8Array {
  const type = lookupType(typeNameFromUrl(typeUrl));
  return type.encode(parseMessage(type, body, '')).finish();
}

export function decodeResource(typeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  return toJson(typeNameFromUrl(typeUrl), bytes);
}
