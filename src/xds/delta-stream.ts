// A delta (incremental) ADS stream. Per type the client's subscription changes by
// subscribe/unsubscribe lists; we track the version (content hash) of every resource the
// client holds and send only what differs, plus removed_resources.
import * as grpc from '@grpc/grpc-js';
import type { PushContext } from '../push/push-context.js';
import type { XdsTypeUrl } from '../translate/api.js';
import type { WatchedType } from './connection.js';
import { typeLabel } from './core.js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from './delta-codec.js';
import { commitDelta, planDelta } from './delta-responder.js';
import type { ResponseOptions } from './responder.js';
import type { Subscription } from './should-respond.js';
import { intern } from './intern.js';
import { XdsStream } from './stream.js';
import type { Planned } from './stream.js';

/** The first request of a type: "*" or, legacy, no names at all, means wildcard. */
function initialSubscription(subscribe: readonly string[]): Subscription {
  const legacy = subscribe.length === 0;
  return { wildcard: legacy || subscribe.includes('*'), names: new Set(subscribe.filter((n) => n !== '*').map(intern)), legacyWildcard: legacy };
}

/**
 * Applies a later request's subscribe/unsubscribe lists (empty lists change nothing).
 * Returns true when the client now waits for an answer.
 */
function applySubscription(w: WatchedType, subscribe: readonly string[], unsubscribe: readonly string[]): boolean {
  // An ACK carries neither list: keep the subscription as is (copying a thousand names per
  // ACK was a visible cost of every EDS push to many all-seeing proxies).
  if (subscribe.length === 0 && unsubscribe.length === 0) return false;
  const prev = w.subscription;
  const names = new Set(prev.names);
  let wildcard = prev.wildcard;
  let legacy = prev.legacyWildcard;
  let respond = false;
  const star = subscribe.includes('*');
  for (const n of subscribe) {
    if (n === '*') {
      respond ||= !wildcard;
      wildcard = true;
      legacy = false;
      continue;
    }
    const name = intern(n);
    names.add(name);
    // Every name named in a subscribe is answered, even if the client should hold it.
    w.forceNames.add(name);
    respond = true;
  }
  // Legacy wildcard lasts only until the client names something (xds_protocol.rst).
  if (legacy && subscribe.length > 0 && !star) {
    wildcard = false;
    legacy = false;
  }
  for (const n of unsubscribe) {
    if (n === '*') {
      wildcard = false;
      legacy = false;
      continue;
    }
    names.delete(n);
    w.sentHashes.delete(n);
    if (wildcard) {
      // Still covered by "*"? Then it is sent again, else listed as removed (checklist 5).
      w.forceNames.add(n);
      respond = true;
    } else {
      w.forceNames.delete(n);
    }
  }
  // Leaving the wildcard: the client drops what it held only through it.
  if (prev.wildcard && !wildcard) for (const n of [...w.sentHashes.keys()]) if (!names.has(n)) w.sentHashes.delete(n);
  w.subscription = { wildcard, names, legacyWildcard: legacy };
  return respond;
}

export class DeltaStream extends XdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  protected plan(w: WatchedType, push: PushContext, opts: ResponseOptions): Planned<DeltaDiscoveryResponse> | undefined {
    const gen = this.core.generators[w.typeUrl as XdsTypeUrl];
    if (!gen || !this.conn) return undefined;
    const p = planDelta(this.conn, w, push, gen, this.core.cache, opts);
    if (!p) return undefined;
    return {
      message: p.response,
      nonce: p.response.nonce,
      version: p.response.systemVersionInfo,
      names: p.resources.map((r) => r.name),
      removed: p.removed,
      bytes: p.bytes,
      commit: (now) => commitDelta(w, p, now),
    };
  }

  protected handle(req: DeltaDiscoveryRequest): void {
    const conn = this.conn ?? this.connect(req.node);
    if (!conn) return;
    if (!req.typeUrl) {
      return this.fail(grpc.status.INVALID_ARGUMENT, 'DeltaDiscoveryRequest without type_url: ADS needs type_url on every request');
    }
    const { core } = this;
    const typeUrl = req.typeUrl;
    if (!core.generators[typeUrl as XdsTypeUrl]) {
      core.log.warn({ proxy: conn.proxy.id, type: typeUrl }, 'request for a type this server does not serve; ignored');
      return;
    }
    const log = { proxy: conn.proxy.id, type: typeLabel(typeUrl), nonce: req.responseNonce };
    const time = new Date(core.now());
    const base = { conn: conn.id, proxy: conn.proxy.id, time, typeUrl, nonce: req.responseNonce };
    const prev = conn.watched.get(typeUrl);
    core.emit({ ...base, kind: 'request', names: [...req.resourceNamesSubscribe], version: prev?.versionAcked ?? '' });

    if (!prev) {
      const w = conn.watch(typeUrl, initialSubscription(req.resourceNamesSubscribe));
      // After a reconnect the client says what it holds: only what differs is sent.
      w.sentHashes.clear();
      // Not interned: when they match what we would send (the usual reconnect), planDelta
      // swaps them for the shared list's record and these strings go.
      for (const [n, v] of req.initialResourceVersions) w.sentHashes.set(n, v);
      w.forceNames.clear();
      for (const n of w.subscription.names) if (!w.sentHashes.has(n)) w.forceNames.add(n);
      applySubscription(w, [], req.resourceNamesUnsubscribe);
      core.log.debug({ ...log, names: [...w.subscription.names], wildcard: w.subscription.wildcard, initial: w.sentHashes.size }, 'new delta watch');
      // A fresh client must hear back even if there is nothing, to finish initialising.
      this.respond(w, req.initialResourceVersions.size === 0);
      return;
    }

    if (req.errorDetail) {
      // Never answered with the same config: resending it loops (go-control-plane #962).
      core.recordNack(conn, typeUrl, req.responseNonce, prev.versionAcked ?? '', req.errorDetail.message);
    } else if (req.responseNonce !== '' && req.responseNonce === prev.nonceSent) {
      prev.nonceAcked = req.responseNonce;
      prev.versionAcked = prev.versionSent;
      core.noteAck(conn, typeUrl, req.responseNonce);
      core.emit({ ...base, kind: 'ack', version: prev.versionSent ?? '' });
    } else if (req.responseNonce !== '') {
      core.log.debug({ ...log, nonceSent: prev.nonceSent }, 'stale nonce; subscription changes still apply');
    }
    // Subscription changes count whatever the nonce (checklist 6).
    if (applySubscription(prev, req.resourceNamesSubscribe, req.resourceNamesUnsubscribe)) {
      core.log.debug({ ...log, subscribe: req.resourceNamesSubscribe, unsubscribe: req.resourceNamesUnsubscribe }, 'delta subscription changed');
      this.respond(prev, false);
    }
  }
}
