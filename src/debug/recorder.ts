// Listens to the xDS server's events and keeps the little the snapshots do not say: the
// proxy kind each stream announced at connect, and, per stream, how far the newest push
// version it was sent has got (sent, ACKed by every type, or NACKed). /debug/push_status
// reads the latter as per-proxy convergence. Bounded: entries go when streams close.
import type { XdsEvent } from '../xds/observer.js';
import { SHORT_TYPE, type XdsTypeUrl } from '../translate/api.js';

export interface ProxyConvergence {
  proxy: string;
  connection_id: string;
  /** The newest config version this stream was sent. */
  version: string;
  /** converged: every response of that version ACKed; pending: some in flight; rejected: one was NACKed. */
  state: 'converged' | 'pending' | 'rejected';
  /** Types still waiting for their ACK (short names). */
  waiting_for: string[];
  first_sent_at: string;
  /** Time from the first response of this version to the last ACK it needed. */
  converged_ms: number | null;
  nack: string | null;
}

interface Track {
  proxy: string;
  version: string;
  firstSentAt: Date;
  outstanding: Map<string, string>;
  convergedAt: Date | undefined;
  nack: string | undefined;
}

function short(typeUrl: string): string {
  return SHORT_TYPE[typeUrl as XdsTypeUrl] ?? typeUrl;
}

export class DebugRecorder {
  private readonly kinds = new Map<string, string>();
  private readonly tracks = new Map<string, Track>();

  /** Pass to XdsServer.observe(). Records only; never throws on odd input. */
  readonly observer = (e: XdsEvent): void => {
    switch (e.kind) {
      case 'connect':
        this.kinds.set(e.conn, e.proxyKind);
        return;
      case 'disconnect':
        this.kinds.delete(e.conn);
        this.tracks.delete(e.conn);
        return;
      case 'send': {
        const t = this.tracks.get(e.conn);
        if (!t || t.version !== e.version) {
          // A newer version supersedes whatever was still converging.
          this.tracks.set(e.conn, { proxy: e.proxy, version: e.version, firstSentAt: e.time, outstanding: new Map([[e.typeUrl, e.nonce]]), convergedAt: undefined, nack: undefined });
        } else {
          t.outstanding.set(e.typeUrl, e.nonce);
          t.convergedAt = undefined;
        }
        return;
      }
      case 'ack': {
        const t = this.tracks.get(e.conn);
        if (!t || t.outstanding.get(e.typeUrl) !== e.nonce) return;
        t.outstanding.delete(e.typeUrl);
        if (t.outstanding.size === 0 && !t.nack) t.convergedAt = e.time;
        return;
      }
      case 'nack': {
        const t = this.tracks.get(e.conn);
        if (!t || t.outstanding.get(e.typeUrl) !== e.nonce) return;
        t.nack = `${short(e.typeUrl)}: ${e.message}`;
        return;
      }
      case 'request':
        return;
    }
  };

  kindOf(conn: string): string | undefined {
    return this.kinds.get(conn);
  }

  /** Per stream, sorted by proxy then connection. */
  convergence(): ProxyConvergence[] {
    return [...this.tracks.entries()]
      .sort(([ca, a], [cb, b]) => (a.proxy !== b.proxy ? (a.proxy < b.proxy ? -1 : 1) : ca < cb ? -1 : ca > cb ? 1 : 0))
      .map(([conn, t]) => ({
        proxy: t.proxy,
        connection_id: conn,
        version: t.version,
        state: t.nack ? 'rejected' : t.outstanding.size === 0 ? 'converged' : 'pending',
        waiting_for: [...t.outstanding.keys()].map(short).sort(),
        first_sent_at: t.firstSentAt.toISOString(),
        converged_ms: t.convergedAt ? t.convergedAt.getTime() - t.firstSentAt.getTime() : null,
        nack: t.nack ?? null,
      }));
  }
}
