// The push timeline: for each push, what triggered it, how long it waited, which proxies
// and types it reached, the bytes, and whether each response was ACKed or NACKed.
//
// Built only from what the rest of the server already tells: the config store's events
// (subscribed to), the xDS server's send/ack/nack events (observed), and the push
// controller's lastPush() (polled). The controller sets lastPush() only after its sends,
// so a push is first seen through its sends (keyed by version) and completed when
// lastPush() names that version. The debouncer merges events in arrival order, so a push
// of N events took the N oldest events not yet attributed.
import type { ConfigEvent } from '../../model/config.js';
import type { PushStatus } from '../../push/push-controller.js';
import { SHORT_TYPE } from '../../translate/api.js';
import type { XdsTypeUrl } from '../../translate/api.js';

/** Pushes kept; the timeline is for watching what happens now, not an audit log. */
const MAX_PUSHES = 50;
/** Responses kept per push (a push to many proxies keeps its first ones). */
const MAX_SENDS = 400;
/** Config events waiting to be attributed to a push (bounded if pushes stop). */
const MAX_PENDING = 1000;

export interface TriggerView {
  type: string;
  kind: string;
  namespace: string;
  name: string;
  at: string;
}

export interface SendView {
  conn: string;
  proxy: string;
  /** lds, rds, cds or eds. */
  type: string;
  nonce: string;
  names: number;
  bytes: number;
  /** Why it went: a push of a new version, or an answer to the proxy's request. */
  cause: 'push' | 'request';
  sentAt: string;
  status: 'SENT' | 'ACK' | 'NACK';
  /** ms from send to ACK or NACK. */
  answeredMs?: number;
  message?: string;
}

export interface PushView {
  version: string;
  /** undefined until lastPush() confirms it (or for versions only answered on request). */
  kind?: 'full' | 'eds';
  initial: boolean;
  triggers: TriggerView[];
  triggeredAt?: string;
  /** ms from the first config event to the push's first response (debounce + PushContext build). */
  waitedMs?: number;
  durationMs?: number;
  changedHosts?: string[];
  sends: SendView[];
  bytes: number;
  /** ms from the first config event to the last ACK, once every push response is ACKed. */
  convergedMs?: number;
  nacks: number;
}

interface SendRecord extends SendView {
  sentAtMs: number;
}

interface PushRecord extends Omit<PushView, 'sends'> {
  sends: SendRecord[];
  firstSendMs?: number;
  triggeredAtMs?: number;
}

function shortType(typeUrl: string): string {
  return SHORT_TYPE[typeUrl as XdsTypeUrl] ?? typeUrl;
}

export class PushTimeline {
  private readonly pushes: PushRecord[] = [];
  private readonly pending: TriggerView[] = [];
  /** `${conn} ${nonce}` → its send, to match ACKs and NACKs. */
  private readonly byNonce = new Map<string, SendRecord>();
  private lastStatusVersion: string | undefined;

  /** Store events, in order: what the next push will have merged. */
  configEvents(events: readonly ConfigEvent[], at: Date): void {
    for (const e of events) {
      this.pending.push({ type: e.type, kind: e.kind, namespace: e.namespace, name: e.name, at: at.toISOString() });
    }
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
  }

  /**
   * Takes the controller's latest push status; true when it was news. Call it often (on
   * every xDS event and on a timer): each status must be seen before the next push replaces it.
   */
  status(s: PushStatus | undefined): boolean {
    if (!s || s.version === this.lastStatusVersion) return false;
    this.lastStatusVersion = s.version;
    const rec = this.record(s.version);
    rec.kind = s.kind;
    // Only the first push (the initial load) merges no events.
    rec.initial = s.events === 0;
    rec.triggers = this.pending.splice(0, s.events);
    rec.triggeredAt = s.triggeredAt;
    rec.triggeredAtMs = Date.parse(s.triggeredAt);
    rec.durationMs = s.durationMs;
    if (s.changedHosts) rec.changedHosts = s.changedHosts;
    this.refresh(rec);
    return true;
  }

  sent(e: { conn: string; proxy: string; typeUrl: string; version: string; nonce: string; names: string[]; bytes: number; time: Date }, cause: 'push' | 'request'): void {
    const rec = this.record(e.version);
    const ms = e.time.getTime();
    // Answers to requests (a proxy connecting) say nothing about how long the push waited.
    if (cause === 'push') rec.firstSendMs ??= ms;
    rec.bytes += e.bytes;
    if (rec.sends.length >= MAX_SENDS) return;
    const s: SendRecord = {
      conn: e.conn,
      proxy: e.proxy,
      type: shortType(e.typeUrl),
      nonce: e.nonce,
      names: e.names.length,
      bytes: e.bytes,
      cause,
      sentAt: e.time.toISOString(),
      sentAtMs: ms,
      status: 'SENT',
    };
    rec.sends.push(s);
    this.byNonce.set(`${e.conn} ${e.nonce}`, s);
    this.refresh(rec);
  }

  /** An ACK or NACK of a response we sent; returns the version it answered, if known. */
  answered(conn: string, nonce: string, time: Date, nack?: string): string | undefined {
    const s = this.byNonce.get(`${conn} ${nonce}`);
    if (!s) return undefined;
    this.byNonce.delete(`${conn} ${nonce}`);
    s.status = nack === undefined ? 'ACK' : 'NACK';
    s.answeredMs = time.getTime() - s.sentAtMs;
    if (nack !== undefined) s.message = nack;
    const rec = this.pushes.find((p) => p.sends.includes(s));
    if (rec) this.refresh(rec);
    return rec?.version;
  }

  /** Newest first. */
  list(): PushView[] {
    return [...this.pushes].reverse().map(({ firstSendMs: _f, triggeredAtMs: _t, sends, ...rest }) => ({
      ...rest,
      sends: sends.map(({ sentAtMs: _s, ...send }) => send),
    }));
  }

  private record(version: string): PushRecord {
    let rec = this.pushes.find((p) => p.version === version);
    if (rec) return rec;
    rec = { version, initial: false, triggers: [], sends: [], bytes: 0, nacks: 0 };
    this.pushes.push(rec);
    if (this.pushes.length > MAX_PUSHES) {
      const gone = this.pushes.shift();
      for (const s of gone?.sends ?? []) this.byNonce.delete(`${s.conn} ${s.nonce}`);
    }
    return rec;
  }

  /** Recomputes the derived numbers of one push. */
  private refresh(rec: PushRecord): void {
    rec.nacks = rec.sends.filter((s) => s.status === 'NACK').length;
    if (rec.triggeredAtMs !== undefined && rec.firstSendMs !== undefined) rec.waitedMs = rec.firstSendMs - rec.triggeredAtMs;
    const pushed = rec.sends.filter((s) => s.cause === 'push');
    if (rec.triggeredAtMs !== undefined && pushed.length > 0 && pushed.every((s) => s.status === 'ACK')) {
      const lastAck = Math.max(...pushed.map((s) => s.sentAtMs + (s.answeredMs ?? 0)));
      rec.convergedMs = lastAck - rec.triggeredAtMs;
    } else {
      delete rec.convergedMs;
    }
  }
}
