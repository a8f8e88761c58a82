// Loads Envoy's API protos (proto/, synced by scripts/sync-protos.mjs) into one protobufjs
// Root, once per process. Everything else in src/envoy works on this Root by reflection.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * Every .proto under proto/, include-root relative and sorted. scripts/sync-protos.mjs copies
 * exactly the import closure of its ENTRY_POINTS there, so loading all files is loading all
 * entry points, and an entry point added to the script is picked up by the next sync without
 * a second list to keep in step here.
 */
export function protoFiles(protoDir: string = findProtoDir()): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(protoDir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.proto')) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The well-known types the codec maps specially. Most arrive through Envoy's imports;
 * field_mask and empty do not, so they are loaded explicitly (from protobufjs's bundled
 * copies: the loader substitutes them for any path ending in google/protobuf/<name>).
 */
const WELL_KNOWN = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map(
  (n) => `google/protobuf/${n}.proto`,
);

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/**
 * Walks up from this module until a directory holding proto/envoy appears. The module runs
 * both as src/envoy/protos.ts (vitest) and dist/src/envoy/protos.js (after tsc), at
 * different depths, so a fixed relative path would be wrong in one of them.
 */
export function findProtoDir(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'envoy'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`proto/envoy not found above ${start}`);
    dir = parent;
  }
}

let cached: protobuf.Root | undefined;

/** The Root with every proto under proto/ loaded and resolved; built on first call (~0.3 s). */
export function envoyRoot(): protobuf.Root {
  if (cached) return cached;
  const protoDir = findProtoDir();
  const root = new protobuf.Root();
  // Imports inside the protos are include-root relative ("envoy/config/core/v3/base.proto").
  // google/protobuf/{any,duration,...}.proto never reach here: protobufjs substitutes its
  // bundled copies before calling resolvePath.
  root.resolvePath = (_origin: string, target: string): string => join(protoDir, target);
  root.loadSync([...protoFiles(protoDir), ...WELL_KNOWN], { keepCase: false });
  root.resolveAll();
  lightenSetup(root);
  cached = root;
  return root;
}

type Encode = protobuf.Type['encode'];
type Decode = protobuf.Type['decode'];

/**
 * protobufjs generates a type's code on its first use, five functions at once (encode,
 * decode, verify, fromObject, toObject), with `new Function` per function. We only ever
 * encode and decode (the codec does its own JSON), and generating the other three for
 * every type a resource touches was a good part of the first push's encoding time. So
 * each type's first setup generates just the two, exactly as protobufjs's own setup would;
 * it then drops back to the full setup, which verify and friends still get if ever called.
 */
function lightenSetup(ns: protobuf.NamespaceBase): void {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type) obj.setup = lightSetup;
    if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) lightenSetup(obj);
  }
}

function lightSetup(this: protobuf.Type): protobuf.Type {
  const types = this.fieldsArray.map((f) => f.resolve().resolvedType);
  const { util } = protobuf;
  const encoder = protobuf.encoder(this) as unknown as (scope: object) => Encode;
  const decoder = protobuf.decoder(this) as unknown as (scope: object) => Decode;
  this.encode = encoder({ Writer: protobuf.Writer, types, util });
  this.decode = decoder({ Reader: protobuf.Reader, types, util });
  delete (this as { setup?: unknown }).setup;
  return this;
}

const typeCache = new Map<string, protobuf.Type>();

/** Looks up a message type by full name (leading dot optional); throws when missing. */
export function lookupType(name: string): protobuf.Type {
  const key = name.startsWith('.') ? name.slice(1) : name;
  let t = typeCache.get(key);
  if (t) return t;
  const found = envoyRoot().lookup(key);
  if (!(found instanceof protobuf.Type)) throw new Error(`unknown message type ${key}`);
  t = found;
  typeCache.set(key, t);
  return t;
}

/** Like lookupType, but undefined instead of throwing. */
export function tryLookupType(name: string): protobuf.Type | undefined {
  try {
    return lookupType(name);
  } catch {
    return undefined;
  }
}

/** Full type name of a `type.googleapis.com/x.y.Z` URL (any host prefix up to the last '/'). */
export function typeNameFromUrl(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash < 0 ? typeUrl : typeUrl.slice(slash + 1);
}

/** The message type a `type.googleapis.com/...` URL names; throws when not in the Root. */
export function typeFromUrl(typeUrl: string): protobuf.Type {
  if (!typeUrl.includes('/')) throw new Error(`not a type URL: ${typeUrl}`);
  return lookupType(typeNameFromUrl(typeUrl));
}

/** `type.googleapis.com/<full name>` for a type (or full type name). */
export function typeUrlOf(type: protobuf.Type | string): string {
  const name = typeof type === 'string' ? type : type.fullName;
  return TYPE_URL_PREFIX + (name.startsWith('.') ? name.slice(1) : name);
}
