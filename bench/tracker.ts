// Watches the xDS server's observer events to time convergence: after a change at time T,
// every connection that is sent something must ACK all of it; its convergence is the time
// of its last outstanding ACK minus T. Also counts responses and bytes per change.
import type { XdsEvent } from '../src/xds/observer.js';

export interface ChangeResult {
  /** ms from the change to each affected connection's last ACK. */
  latencies: number[];
  /** Responses sent, and bytes in them. */
  sends: number;
  bytes: number;
  /** Connections that were sent anything. */
  affected: number;
}

export class Tracker {
  /** conn → typeUrl → nonce awaiting ACK. */
  private readonly pending = new Map<string, Map<string, string>>();
  /** conn → ms of the last ACK. */
  private readonly lastAck = new Map<string, number>();
  private readonly acked = new Set<string>();
  private readonly sendsPerConn = new Map<string, number>();
  /** conn → types it has asked for (a delta client that reconnects may be sent nothing). */
  private readonly typesAsked = new Map<string, Set<string>>();
  private changeAt = 0;
  private sends = 0;
  private bytes = 0;
  private touched = new Set<string>();
  connected = 0;

  readonly observer = (e: XdsEvent): void => {
    switch (e.kind) {
      case 'connect':
        this.connected += 1;
        this.pending.set(e.conn, new Map());
        return;
      case 'disconnect':
        this.connected -= 1;
        this.pending.delete(e.conn);
        this.acked.delete(e.conn);
        this.typesAsked.delete(e.conn);
        return;
      case 'request': {
        let t = this.typesAsked.get(e.conn);
        if (!t) this.typesAsked.set(e.conn, (t = new Set()));
        t.add(e.typeUrl);
        return;
      }
      case 'send': {
        this.pending.get(e.conn)?.set(e.typeUrl, e.nonce);
        this.sends += 1;
        this.bytes += e.bytes;
        this.touched.add(e.conn);
        this.sendsPerConn.set(e.conn, (this.sendsPerConn.get(e.conn) ?? 0) + 1);
        return;
      }
      case 'ack': {
        const p = this.pending.get(e.conn);
        if (!p || p.get(e.typeUrl) !== e.nonce) return;
        p.delete(e.typeUrl);
        if (p.size === 0) {
          this.lastAck.set(e.conn, performance.now());
          this.acked.add(e.conn);
        }
        return;
      }
      default:
    }
  };

  /** Starts timing a change made now. */
  begin(): void {
    this.changeAt = performance.now();
    this.sends = 0;
    this.bytes = 0;
    this.touched = new Set();
    this.sendsPerConn.clear();
    this.lastAck.clear();
  }

  /** Nothing outstanding: every connection ACKed everything sent to it. */
  quiet(): boolean {
    for (const p of this.pending.values()) if (p.size > 0) return false;
    return true;
  }

  /** Connections that hold config: connected, something ACKed, nothing outstanding. */
  settledConnections(): number {
    let n = 0;
    for (const [c, p] of this.pending) if (p.size === 0 && this.acked.has(c)) n += 1;
    return n;
  }

  /**
   * Connections that asked for `types` types and have nothing outstanding: after a delta
   * reconnect with initial_resource_versions a client holding current config is sent
   * nothing, so "settled" (something ACKed) never comes for it.
   */
  readyConnections(types: number): number {
    let n = 0;
    for (const [c, p] of this.pending) if (p.size === 0 && (this.typesAsked.get(c)?.size ?? 0) >= types) n += 1;
    return n;
  }

  result(): ChangeResult {
    const latencies: number[] = [];
    for (const c of this.touched) {
      const t = this.lastAck.get(c);
      if (t !== undefined) latencies.push(t - this.changeAt);
    }
    return { latencies, sends: this.sends, bytes: this.bytes, affected: this.touched.size };
  }

  maxSendsPerConnection(): number {
    let m = 0;
    for (const v of this.sendsPerConn.values()) m = Math.max(m, v);
    return m;
  }
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Polls `cond` every 10 ms until true or `ms` passed; returns whether it became true. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}
