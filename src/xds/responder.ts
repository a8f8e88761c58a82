// Decides what one type's next response on one stream holds, and whether there is one at
// all: a stream only hears about what changed for it (checklist 7), judged by comparing
// resource hashes with what was last sent on this stream.
import type { Generator } from '../translate/api.js';
import type { PushContext } from '../push/push-context.js';
import type { DiscoveryResponse } from './ads-service.js';
import type { Connection, WatchedType } from './connection.js';
import type { Proxy } from '../translate/proxy.js';
import type { EncodedResource, ResourceCache } from './resource-cache.js';
import { isWildcardType } from './should-respond.js';
import { EntriesBlocks, sotwEntry } from './wire.js';

const sotwBlocks = new EntriesBlocks((r: EncodedResource): Buffer => r.any.entry ?? sotwEntry(r.any.type_url, r.bytes));

export interface ResponseOptions {
  /** A request asked: answer even when nothing changed (possibly with no resources). */
  mustRespond: boolean;
  /** EDS-only push: consider only these names. */
  only?: ReadonlySet<string> | undefined;
  /** Send these names even if unchanged (EDS for the clusters of a CDS response). */
  force?: ReadonlySet<string> | undefined;
}

export interface PlannedResponse {
  response: DiscoveryResponse;
  resources: readonly EncodedResource[];
  /** `resources` is all the client will hold of this type (not an addition to what it has). */
  complete: boolean;
  bytes: number;
}

/** A resource goes out when forced (requested anew, EDS after CDS) or when it changed for this stream. */
export function mustSend(w: WatchedType, opts: ResponseOptions, r: EncodedResource): boolean {
  return opts.force?.has(r.name) === true || w.forceNames.has(r.name) || w.sentHashes.get(r.name) !== r.hash;
}

/** Same names and same hashes as last sent? */
function sameAsSent(w: WatchedType, resources: readonly EncodedResource[]): boolean {
  if (resources.length !== w.sentHashes.size) return false;
  for (const r of resources) if (w.sentHashes.get(r.name) !== r.hash) return false;
  return true;
}

/** The names of an EDS-only push that the client watches. */
function requestedNames(w: WatchedType, only: ReadonlySet<string>): string[] {
  const sub = w.subscription;
  if (sub.wildcard) return [...only];
  return [...sub.names].filter((n) => only.has(n));
}

/** Requested names that do not exist now: forget their hash, so that they are sent when they (re)appear even with the same bytes as before. */
function forgetMissing(w: WatchedType, names: Iterable<string>, found: readonly EncodedResource[]): void {
  const present = new Set(found.map((r) => r.name));
  for (const n of names) if (!present.has(n)) w.sentHashes.delete(n);
}

/** RDS/EDS: what the response is chosen from, or undefined when nothing is asked for and nothing must be said. */
function namedResources(w: WatchedType, push: PushContext, gen: Generator, proxy: Proxy, cache: ResourceCache, opts: ResponseOptions): readonly EncodedResource[] | undefined {
  const sub = w.subscription;
  const none = (): readonly EncodedResource[] | undefined => (opts.mustRespond ? [] : undefined);
  if (opts.only === undefined) {
    if (sub.wildcard) return cache.get(push, gen, proxy, undefined);
    if (sub.names.size === 0) return none();
    // The whole subscription: streams sharing the (pooled) subscription share the list.
    const found = cache.getNamed(push, gen, proxy, sub.names);
    if (found.length < sub.names.size) forgetMissing(w, sub.names, found);
    return found;
  }
  const names = requestedNames(w, opts.only);
  if (names.length === 0) return none();
  const found = cache.get(push, gen, proxy, names);
  forgetMissing(w, names, found);
  return found;
}

/**
 * Plans the response for `w` on `conn`, or returns undefined when the client already has
 * exactly this. Does not touch the stream state: commitSent() does, once it is written.
 */
export function planResponse(
  conn: Connection,
  w: WatchedType,
  push: PushContext,
  gen: Generator,
  cache: ResourceCache,
  opts: ResponseOptions,
): PlannedResponse | undefined {
  let send: readonly EncodedResource[];
  let complete = false;
  if (isWildcardType(w.typeUrl)) {
    // LDS/CDS: always the complete set the client subscribed to (everything for a
    // wildcard subscription, else the named resources that exist: gRPC clients name
    // their listeners); a missing name means "deleted" to the client.
    const sub = w.subscription;
    const all = cache.get(push, gen, conn.proxy, sub.wildcard ? undefined : [...sub.names].sort());
    if (!opts.mustRespond && w.forceNames.size === 0 && sameAsSent(w, all)) return undefined;
    send = all;
    complete = true;
  } else {
    const found = namedResources(w, push, gen, conn.proxy, cache, opts);
    if (found === undefined) return undefined;
    // RDS/EDS: only what changed (or must be sent); the client keeps the others. When that
    // is everything, the shared list itself goes out, and with it its shared block.
    const changed = found.filter((r) => mustSend(w, opts, r));
    send = changed.length === found.length ? found : changed;
    if (send.length === 0 && !opts.mustRespond) return undefined;
    // The whole subscription went out: names not found were forgotten above, so what the
    // client holds is exactly this list.
    complete = send === found && opts.only === undefined;
  }
  let bytes = 0;
  for (const r of send) bytes += r.bytes.length;
  const resourcesBlock = sotwBlocks.of(send);
  return {
    response: { versionInfo: push.version, typeUrl: w.typeUrl, nonce: conn.nextNonce(), resources: send.map((r) => r.any), resourcesBlock },
    resources: send,
    complete,
    bytes,
  };
}

/** Records a written response in the stream state. */
export function commitSent(w: WatchedType, planned: PlannedResponse, now: Date): void {
  // A complete list is usually the cache's shared one: the record points at it.
  if (planned.complete) w.sentHashes.resetTo(planned.resources);
  else for (const r of planned.resources) w.sentHashes.set(r.name, r.hash);
  w.nonceSent = planned.response.nonce;
  w.versionSent = planned.response.versionInfo;
  w.sentAt = now;
  w.forceNames.clear();
  w.awaitingResponse = false;
}
