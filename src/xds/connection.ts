// Per-stream state: who the proxy is and, per type, what it watches, what we last sent and
// what it last accepted or rejected. Everything a stream holds hangs off one Connection,
// so dropping the Connection when the stream closes frees it all (go-control-plane #597).
import { TypeUrl } from '../translate/api.js';
import type { Proxy } from '../translate/proxy.js';
import type { Subscription } from './should-respond.js';
import { SentVersions } from './sent-versions.js';

export interface NackRecord {
  nonce: string;
  /** version_info of the NACK: the last version the client accepted. */
  version: string;
  message: string;
  time: Date;
}

/** One type's sub-stream: its own subscription, nonce and version (checklist 2). */
export interface WatchedType {
  readonly typeUrl: string;
  subscription: Subscription;
  nonceSent: string | undefined;
  versionSent: string | undefined;
  sentAt: Date | undefined;
  /** name → hash of the bytes last sent: what "changed for this client" compares against. */
  sentHashes: SentVersions;
  nonceAcked: string | undefined;
  versionAcked: string | undefined;
  lastNack: NackRecord | undefined;
  /** A request asked for an answer that could not be given yet (no PushContext). */
  awaitingResponse: boolean;
  /** Names requested anew: sent on the next response even if their bytes were sent before. */
  forceNames: Set<string>;
}

/** Convergence bookkeeping for one push: resolved when every response it caused is ACKed. */
export interface PendingConvergence {
  triggeredAt: number;
  /** typeUrl → nonce still awaiting its ACK. */
  outstanding: Map<string, string>;
}

/** What /debug/syncz and /debug/connections print about a stream. */
export interface ConnectionSnapshot {
  id: string;
  proxyId: string;
  /** The parsed node: kind, namespace, labels, metadata, user agent. */
  proxy: Proxy;
  peer: string;
  connectedAt: string;
  types: {
    typeUrl: string;
    wildcard: boolean;
    names: string[];
    nonceSent?: string;
    versionSent?: string;
    nonceAcked?: string;
    versionAcked?: string;
    resourcesSent: number;
    lastNack?: { nonce: string; version: string; message: string; time: string };
  }[];
}

export class Connection {
  readonly watched = new Map<string, WatchedType>();
  readonly connectedAt = new Date();
  convergence: PendingConvergence | undefined;
  private nonceCounter = 0;

  constructor(
    readonly id: string,
    readonly proxy: Proxy,
    readonly peer: string,
  ) {}

  watch(typeUrl: string, subscription: Subscription): WatchedType {
    let w = this.watched.get(typeUrl);
    if (!w) {
      w = {
        typeUrl,
        subscription,
        nonceSent: undefined,
        versionSent: undefined,
        sentAt: undefined,
        sentHashes: new SentVersions(),
        nonceAcked: undefined,
        versionAcked: undefined,
        lastNack: undefined,
        awaitingResponse: false,
        forceNames: new Set(),
      };
      this.watched.set(typeUrl, w);
    } else {
      w.subscription = subscription;
    }
    return w;
  }

  /** Unique per response on this stream; the connection id keeps nonces distinct across streams. */
  nextNonce(): string {
    this.nonceCounter += 1;
    return `${this.id}-${this.nonceCounter.toString(36)}`;
  }

  /** Is `name` among what the client watches for this type? */
  static wants(w: WatchedType, name: string): boolean {
    return w.subscription.wildcard || w.subscription.names.has(name);
  }

  /**
   * Does the proxy hold its first full config? It asked for listeners and clusters (the two
   * roots every client ends up watching), and every response sent was answered, ACK or
   * NACK, with no request left waiting. Envoy asks for EDS and RDS before it ACKs the CDS
   * or LDS that names them, so their answers are counted too. Admission waits for this.
   */
  holdsFullConfig(): boolean {
    if (!this.watched.has(TypeUrl.Listener) || !this.watched.has(TypeUrl.Cluster)) return false;
    for (const w of this.watched.values()) {
      if (w.awaitingResponse) return false;
      if (w.nonceSent !== undefined && w.nonceSent !== w.nonceAcked && w.lastNack?.nonce !== w.nonceSent) return false;
    }
    return true;
  }

  /** Drops every per-type structure (the stream closed). */
  free(): void {
    this.watched.clear();
    this.convergence = undefined;
  }

  snapshot(): ConnectionSnapshot {
    return {
      id: this.id,
      proxyId: this.proxy.id,
      proxy: this.proxy,
      peer: this.peer,
      connectedAt: this.connectedAt.toISOString(),
      types: [...this.watched.values()].map((w) => ({
        typeUrl: w.typeUrl,
        wildcard: w.subscription.wildcard,
        names: [...w.subscription.names].sort(),
        nonceSent: w.nonceSent,
        versionSent: w.versionSent,
        nonceAcked: w.nonceAcked,
        versionAcked: w.versionAcked,
        resourcesSent: w.sentHashes.size,
        lastNack: w.lastNack && { ...w.lastNack, time: w.lastNack.time.toISOString() },
      })),
    };
  }
}
