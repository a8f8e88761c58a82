// What every stream of the server shares, whichever protocol it speaks (SotW or delta):
// the generators and the encode-once cache, the PushContext being served, the observers,
// and the bookkeeping of NACKs and convergence. Streams get it instead of the server, so
// that stream code cannot reach into the server's list of streams or its push queue.
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { PushContext } from '../push/push-context.js';
import { SHORT_TYPE } from '../translate/api.js';
import type { Generator, XdsTypeUrl } from '../translate/api.js';
import type { Connection } from './connection.js';
import type { XdsEvent, XdsObserver } from './observer.js';
import type { ResourceCache } from './resource-cache.js';

/** One NACK, as kept for the debug surface and tests. */
export interface NackEvent {
  proxy: string;
  /** Short type (lds/rds/cds/eds). */
  type: string;
  nonce: string;
  /** The version the proxy still runs (the NACK's version_info; delta: the last acked one). */
  version: string;
  message: string;
  time: Date;
}

// NACK history is for humans and tests; bound it so a NACK storm cannot grow memory.
const NACK_HISTORY = 256;

export function typeLabel(typeUrl: string): string {
  return SHORT_TYPE[typeUrl as XdsTypeUrl] ?? typeUrl;
}

export class ServerCore {
  current: PushContext | undefined;
  /** Queued pushes that threw (bugs): logged and counted so they are not silent. */
  pushErrors = 0;
  private streamCounter = 0;
  private readonly nacks: NackEvent[] = [];

  constructor(
    readonly log: Logger,
    readonly metrics: Metrics,
    readonly generators: Partial<Record<XdsTypeUrl, Generator>>,
    readonly cache: ResourceCache,
    readonly now: () => number,
    readonly observers: XdsObserver[],
  ) {}

  nextConnectionId(proxyId: string): string {
    this.streamCounter += 1;
    return `${proxyId}-${this.streamCounter}`;
  }

  emit(event: XdsEvent): void {
    for (const o of this.observers) {
      try {
        o(event);
      } catch (err) {
        this.log.error({ err }, 'xDS observer failed');
      }
    }
  }

  /** A push (or part of one) to `conn` threw: the queue goes on, but it must be seen. */
  pushFailed(err: unknown, proxy: string | undefined, what: string): void {
    this.pushErrors += 1;
    this.log.error({ err, proxy }, what);
  }

  nackHistory(): NackEvent[] {
    return [...this.nacks];
  }

  /** Records a NACK everywhere it is reported; the rejected push stops being timed. */
  recordNack(conn: Connection, typeUrl: string, nonce: string, version: string, message: string): void {
    const type = typeLabel(typeUrl);
    this.metrics.xdsRejects.inc({ type });
    this.log.warn({ proxy: conn.proxy.id, type, nonce, version, message }, 'NACK: proxy rejected config');
    const time = new Date(this.now());
    const w = conn.watched.get(typeUrl);
    if (w) w.lastNack = { nonce, version, message, time };
    this.nacks.push({ proxy: conn.proxy.id, type, nonce, version, message, time });
    if (this.nacks.length > NACK_HISTORY) this.nacks.shift();
    this.emit({ kind: 'nack', conn: conn.id, proxy: conn.proxy.id, time, typeUrl, nonce, version, message });
    // The rejected push has not converged and will not.
    if (conn.convergence?.outstanding.get(typeUrl) === nonce) conn.convergence = undefined;
  }

  /** An ACK of `nonce`: closes the convergence clock once every response of the push is ACKed. */
  noteAck(conn: Connection, typeUrl: string, nonce: string): void {
    const c = conn.convergence;
    if (!c || c.outstanding.get(typeUrl) !== nonce) return;
    c.outstanding.delete(typeUrl);
    if (c.outstanding.size === 0) {
      this.metrics.proxyConvergence.observe((this.now() - c.triggeredAt) / 1000);
      conn.convergence = undefined;
    }
  }

  trackConvergence(conn: Connection, typeUrl: string, nonce: string, triggeredAt: number | undefined): void {
    const c = conn.convergence;
    if (c) {
      // An earlier push is still converging: keep timing from its (older) trigger, and wait
      // for the ACK of this newer response, which supersedes the nonce it waited for.
      if (triggeredAt !== undefined || c.outstanding.has(typeUrl)) c.outstanding.set(typeUrl, nonce);
      return;
    }
    if (triggeredAt !== undefined) conn.convergence = { triggeredAt, outstanding: new Map([[typeUrl, nonce]]) };
  }
}
