// A state-of-the-world ADS stream: requests are judged by Istio's shouldRespond table
// (should-respond.ts) and answered with complete (LDS/CDS) or changed-only (RDS/EDS) sets
// (responder.ts).
import * as grpc from '@grpc/grpc-js';
import type { PushContext } from '../push/push-context.js';
import type { XdsTypeUrl } from '../translate/api.js';
import type { DiscoveryRequest, DiscoveryResponse } from './ads-service.js';
import type { WatchedType } from './connection.js';
import { typeLabel } from './core.js';
import { commitSent, planResponse } from './responder.js';
import type { ResponseOptions } from './responder.js';
import { isWildcardType, shouldRespond } from './should-respond.js';
import { XdsStream } from './stream.js';
import type { Planned } from './stream.js';

export class SotwStream extends XdsStream<DiscoveryRequest, DiscoveryResponse> {
  protected plan(w: WatchedType, push: PushContext, opts: ResponseOptions): Planned<DiscoveryResponse> | undefined {
    const gen = this.core.generators[w.typeUrl as XdsTypeUrl];
    if (!gen || !this.conn) return undefined;
    const p = planResponse(this.conn, w, push, gen, this.core.cache, opts);
    if (!p) return undefined;
    return {
      message: p.response,
      nonce: p.response.nonce,
      version: p.response.versionInfo,
      names: p.resources.map((r) => r.name),
      bytes: p.bytes,
      commit: (now) => commitSent(w, p, now),
    };
  }

  protected handle(req: DiscoveryRequest): void {
    const conn = this.conn ?? this.connect(req.node);
    if (!conn) return;
    if (!req.typeUrl) {
      return this.fail(grpc.status.INVALID_ARGUMENT, 'DiscoveryRequest without type_url: ADS needs type_url on every request');
    }
    const { core } = this;
    const typeUrl = req.typeUrl;
    const type = typeLabel(typeUrl);
    if (!core.generators[typeUrl as XdsTypeUrl]) {
      core.log.warn({ proxy: conn.proxy.id, type: typeUrl }, 'request for a type this server does not serve; ignored');
      return;
    }
    const prev = conn.watched.get(typeUrl);
    const d = shouldRespond(prev && { subscription: prev.subscription, nonceSent: prev.nonceSent }, req);
    const log = { proxy: conn.proxy.id, type, nonce: req.responseNonce, version: req.versionInfo };
    const base = { conn: conn.id, proxy: conn.proxy.id, time: new Date(core.now()), typeUrl, nonce: req.responseNonce, version: req.versionInfo };
    core.emit({ ...base, kind: 'request', names: [...req.resourceNames] });
    switch (d.kind) {
      case 'nack': {
        core.recordNack(conn, typeUrl, req.responseNonce, req.versionInfo, req.errorDetail?.message ?? '');
        // A NACK of the latest response may also change the subscription. The rejected
        // config is never resent (that loops, go-control-plane #962): only added names are
        // answered, the rest of the client's set is as it was before the NACK.
        if (!prev || d.subscription === prev.subscription) return;
        prev.subscription = d.subscription;
        if (!isWildcardType(typeUrl)) for (const n of d.removed) prev.sentHashes.delete(n);
        core.log.debug({ ...log, added: d.added, removed: d.removed }, 'subscription changed by a NACK');
        if (!d.respond) return;
        // RDS/EDS: the rejected resources are in sentHashes (commitSent recorded them), so
        // only the forced new names (and anything changed since) go out. LDS/CDS answers are
        // complete sets by definition and carry the rest again.
        for (const n of d.added) prev.forceNames.add(n);
        this.respond(prev);
        return;
      }
      case 'stale':
        core.log.debug({ ...log, nonceSent: prev?.nonceSent }, 'stale nonce; ignored');
        return;
      case 'ack':
      case 'subscription-changed': {
        const w = prev as WatchedType;
        w.nonceAcked = req.responseNonce;
        w.versionAcked = req.versionInfo;
        core.noteAck(conn, typeUrl, req.responseNonce);
        core.emit({ ...base, kind: 'ack' });
        if (d.kind === 'ack') return core.log.debug(log, 'ACK');
        w.subscription = d.subscription;
        for (const n of d.added) w.forceNames.add(n);
        if (!isWildcardType(typeUrl)) for (const n of d.removed) w.sentHashes.delete(n);
        core.log.debug({ ...log, added: d.added, removed: d.removed }, 'subscription changed');
        if (d.respond) this.respond(w);
        return;
      }
      case 'initial':
      case 'reconnect': {
        const w = conn.watch(typeUrl, d.subscription);
        // A request without nonce starts the type over: whatever we sent is forgotten.
        w.sentHashes.clear();
        w.forceNames.clear();
        core.log.debug({ ...log, kind: d.kind, names: d.added, wildcard: d.subscription.wildcard }, 'new watch');
        this.respond(w);
        return;
      }
    }
  }
}
