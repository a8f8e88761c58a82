// Responses from pre-encoded pieces. Protobuf concatenates repeated fields, so a
// DiscoveryResponse (or DeltaDiscoveryResponse) is its few scalar fields followed by one
// length-delimited `resources` entry per resource, and that entry's bytes are the same on
// every stream that is sent the resource. Each entry is built once (on first use, per
// protocol) and every response after that is a concatenation: no per-stream re-encoding
// of thousands of Anys, which was the largest cost of sending full config to many proxies.
import protobuf from 'protobufjs';

/** `resources` is field 2 in both DiscoveryResponse and DeltaDiscoveryResponse. */
const RESOURCES_FIELD = 2;

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** google.protobuf.Any: type_url = 1, value = 2. */
function writeAny(w: protobuf.Writer, typeUrl: string, value: Uint8Array): protobuf.Writer {
  return w.uint32((1 << 3) | 2).string(typeUrl).uint32((2 << 3) | 2).bytes(value);
}

/** One DiscoveryResponse `resources` entry: the Any, as a length-delimited field 2. */
export function sotwEntry(typeUrl: string, value: Uint8Array): Buffer {
  const w = protobuf.Writer.create().uint32((RESOURCES_FIELD << 3) | 2).fork();
  return asBuffer(writeAny(w, typeUrl, value).ldelim().finish());
}

/**
 * One DeltaDiscoveryResponse `resources` entry: envoy.service.discovery.v3.Resource
 * (version = 1, resource = 2, name = 3) as a length-delimited field 2.
 */
export function deltaEntry(name: string, version: string, typeUrl: string, value: Uint8Array): Buffer {
  const w = protobuf.Writer.create().uint32((RESOURCES_FIELD << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(version);
  writeAny(w.uint32((2 << 3) | 2).fork(), typeUrl, value).ldelim();
  w.uint32((3 << 3) | 2).string(name);
  return asBuffer(w.ldelim().finish());
}

// Room left in front of every block for the message's other fields (version, type URL,
// nonce: well under this), so that a response is framed without copying the block.
const HEAD_ROOM = 512;

/**
 * A list's entries, encoded once, with room in front for the scalar fields of each
 * response that carries them. `frame` writes those fields into the room and returns a view
 * of the message: no allocation and no copy however large the block. The view is only
 * good until the next `frame` of the same block: the gRPC serializer hands it to grpc-js,
 * which copies it into its own frame at once (serializeMessage in @grpc/grpc-js 1.14;
 * test/xds/shared-block.test.ts sends one block to many streams at once and checks each
 * message). Fields too long for the room fall back to a copy.
 */
export class ResourcesBlock {
  private constructor(private readonly buf: Buffer) {}

  static of(entries: readonly Buffer[]): ResourcesBlock {
    let size = HEAD_ROOM;
    for (const e of entries) size += e.length;
    const buf = Buffer.allocUnsafe(size);
    let at = HEAD_ROOM;
    for (const e of entries) at += e.copy(buf, at);
    return new ResourcesBlock(buf);
  }

  /** Bytes of the entries alone. */
  get length(): number {
    return this.buf.length - HEAD_ROOM;
  }

  /** `head` (the message's other fields, encoded) followed by the entries. */
  frame(head: Uint8Array): Buffer {
    if (head.length > HEAD_ROOM) return Buffer.concat([head, this.buf.subarray(HEAD_ROOM)]);
    const start = HEAD_ROOM - head.length;
    this.buf.set(head, start);
    return this.buf.subarray(start);
  }
}

/**
 * The entries of a list of resources, concatenated once per list: the resource cache hands
 * every stream of a scope the same list object for "everything" (all of CDS or LDS, or a
 * fresh delta client's whole set), so a thousand reconnecting proxies share one block.
 */
export class EntriesBlocks<T extends object> {
  // One per protocol: a list's SotW block and its delta block are different bytes.
  private readonly blocks = new WeakMap<readonly T[], ResourcesBlock>();

  constructor(private readonly entry: (r: T) => Buffer) {}

  of(list: readonly T[]): ResourcesBlock {
    let b = this.blocks.get(list);
    if (!b) {
      b = ResourcesBlock.of(list.map(this.entry));
      this.blocks.set(list, b);
    }
    return b;
  }
}
