// What one type's next delta response holds: the resources whose version (content hash)
// differs from what the client holds, and the names it must drop. Pure apart from
// forgetting versions of EDS/RDS resources that vanished (see below).
import type { Generator } from '../translate/api.js';
import type { PushContext } from '../push/push-context.js';
import type { Connection, WatchedType } from './connection.js';
import type { DeltaDiscoveryResponse } from './delta-codec.js';
import type { EncodedResource, ResourceCache } from './resource-cache.js';
import { mustSend, type ResponseOptions } from './responder.js';
import { isWildcardType } from './should-respond.js';
import { deltaEntry, EntriesBlocks } from './wire.js';

const deltaBlocks = new EntriesBlocks((r: EncodedResource): Buffer => r.delta.entry ?? deltaEntry(r.name, r.hash, r.any.type_url, r.bytes));

export interface PlannedDelta {
  response: DeltaDiscoveryResponse;
  resources: readonly EncodedResource[];
  removed: string[];
  bytes: number;
}

/** The resources the client should hold now (restricted to `only` on an EDS-only push). */
function desiredResources(conn: Connection, w: WatchedType, push: PushContext, gen: Generator, cache: ResourceCache, only: ReadonlySet<string> | undefined): readonly EncodedResource[] {
  const sub = w.subscription;
  const get = (names: string[] | undefined): readonly EncodedResource[] => (names?.length === 0 ? [] : cache.get(push, gen, conn.proxy, names));
  if (only) {
    const names = [...only].filter((n) => sub.wildcard || sub.names.has(n) || w.forceNames.has(n));
    return get(names.sort());
  }
  if (!sub.wildcard) return get([...sub.names].sort());
  const all = get(undefined);
  const have = new Set(all.map((r) => r.name));
  const extra = [...sub.names].filter((n) => !have.has(n));
  return extra.length === 0 ? all : [...all, ...get(extra.sort())];
}

export function planDelta(
  conn: Connection,
  w: WatchedType,
  push: PushContext,
  gen: Generator,
  cache: ResourceCache,
  opts: ResponseOptions,
): PlannedDelta | undefined {
  const desired = desiredResources(conn, w, push, gen, cache, opts.only);
  const present = new Set(desired.map((r) => r.name));
  const changed = desired.filter((r) => mustSend(w, opts, r));
  // Everything (a fresh client): the cache's own list, whose encoded block streams share.
  const send = changed.length === desired.length ? desired : changed;
  const removed: string[] = [];
  const inScope = (n: string): boolean => !opts.only || opts.only.has(n);
  const candidates = new Set([...w.forceNames].filter(inScope));
  for (const n of w.sentHashes.keys()) if (inScope(n)) candidates.add(n);
  for (const n of candidates) {
    if (present.has(n)) continue;
    // Named in a subscribe (or unsubscribed under "*" and not covered by it): the client
    // waits for an answer, and "does not exist" is one (checklist 4 and 5).
    if (w.forceNames.has(n) || isWildcardType(w.typeUrl)) removed.push(n);
    // An EDS/RDS resource that vanished while still subscribed: no removal, since Envoy may
    // still be warming a cluster or listener that names it (envoy #32823); the cluster or
    // listener going away unsubscribes it. Forget its version so it is sent if it returns.
    else w.sentHashes.delete(n);
  }
  // The client holds exactly the shared list (a reconnect with nothing to catch up on):
  // record that instead of its own copy of every name and version.
  if (changed.length === 0 && removed.length === 0 && !opts.only && w.sentHashes.size === desired.length) w.sentHashes.resetTo(desired);
  if (send.length === 0 && removed.length === 0 && !opts.mustRespond) return undefined;
  let bytes = 0;
  for (const r of send) bytes += r.bytes.length;
  removed.sort();
  return {
    response: {
      systemVersionInfo: push.version,
      typeUrl: w.typeUrl,
      nonce: conn.nextNonce(),
      resources: send.map((r) => r.delta),
      removedResources: removed,
      resourcesBlock: deltaBlocks.of(send),
    },
    resources: send,
    removed,
    bytes,
  };
}

/** Records a written delta response: the client now holds these versions, not those names. */
export function commitDelta(w: WatchedType, p: PlannedDelta, now: Date): void {
  // A first response holding everything (the cache's shared list): the record points at it.
  if (w.sentHashes.size === 0) w.sentHashes.resetTo(p.resources);
  else for (const r of p.resources) w.sentHashes.set(r.name, r.hash);
  if (w.forceNames.size > 0) for (const r of p.resources) w.forceNames.delete(r.name);
  for (const n of p.removed) {
    w.sentHashes.delete(n);
    w.forceNames.delete(n);
  }
  w.nonceSent = p.response.nonce;
  w.versionSent = p.response.systemVersionInfo;
  w.sentAt = now;
  w.awaitingResponse = false;
}
