// One ADS stream, whichever protocol it speaks: the connection it opened, what a push sends
// on it (in make-before-break order, only the types the change can affect), and write
// backpressure. SotW and delta streams differ only in how they read requests and shape
// responses (sotw-stream.ts, delta-stream.ts).
import * as grpc from '@grpc/grpc-js';
import type { ConfigKey } from '../model/config.js';
import type { AdmissionSlot } from './admission.js';
import type { PushContext } from '../push/push-context.js';
import { PUSH_ORDER, TypeUrl } from '../translate/api.js';
import type { XdsTypeUrl } from '../translate/api.js';
import { NodeIdError, parseProxy } from '../translate/proxy.js';
import type { NodeInfo } from '../translate/proxy.js';
import { affectsProxy } from '../translate/scope.js';
import { affectedTypes } from './affected-types.js';
import { Connection } from './connection.js';
import type { WatchedType } from './connection.js';
import { typeLabel } from './core.js';
import type { ServerCore } from './core.js';
import type { ConnPush } from './push-queue.js';
import type { ResponseOptions } from './responder.js';

export type Protocol = 'sotw' | 'delta';

/** A response ready to write, and how to record it once written. */
export interface Planned<Res> {
  message: Res;
  nonce: string;
  /** version_info (SotW) or system_version_info (delta). */
  version: string;
  names: string[];
  /** Delta only: names listed in removed_resources. */
  removed?: string[];
  bytes: number;
  commit(now: Date): void;
}

/** What the server and its push queue see of a stream, whatever its protocol. */
export interface ServerStream {
  readonly protocol: Protocol;
  readonly conn: Connection | undefined;
  readonly closed: boolean;
  pushTo(req: ConnPush, push: PushContext): void;
  /** Resolves once written responses are flushed, or after `timeoutMs` at the latest. */
  drained(timeoutMs: number): Promise<void>;
  end(reason: string): void;
}

export abstract class XdsStream<Req, Res> implements ServerStream {
  conn: Connection | undefined;
  closed = false;
  private needDrain = false;
  private drainWaiters: (() => void)[] = [];

  constructor(
    protected readonly core: ServerCore,
    protected readonly call: grpc.ServerDuplexStream<Req, Res>,
    readonly protocol: Protocol,
    private readonly onClosed: (s: ServerStream) => void,
    /** Held until the proxy holds its first full config (admission.ts). */
    private readonly admission?: AdmissionSlot,
  ) {
    call.on('data', (req: Req) => {
      if (this.closed) return;
      try {
        this.handle(req);
      } catch (err) {
        core.log.error({ err, proxy: this.conn?.proxy.id }, 'xDS request failed');
        this.fail(grpc.status.INTERNAL, `internal error: ${(err as Error).message}`);
      }
      // Settling is seen on a request: the last ACK, or a request answered with nothing.
      if (this.admission?.held && this.conn?.holdsFullConfig()) this.admission.release();
    });
    call.on('end', () => {
      call.end();
      this.close('client closed the stream');
    });
    call.on('cancelled', () => this.close('stream cancelled'));
    call.on('error', (err: Error) => this.close(`stream error: ${err.message}`));
    call.on('close', () => this.close('stream closed'));
    call.on('drain', () => this.releaseDrain());
  }

  /** One request from the client. */
  protected abstract handle(req: Req): void;

  /** The response for `w` now, or undefined when the client already has all of it. */
  protected abstract plan(w: WatchedType, push: PushContext, opts: ResponseOptions): Planned<Res> | undefined;

  /** Creates the Connection from the first request's node, or refuses the stream. */
  protected connect(node: NodeInfo | undefined): Connection | undefined {
    if (!node) {
      this.fail(grpc.status.INVALID_ARGUMENT, 'the first DiscoveryRequest on a stream must carry node');
      return undefined;
    }
    let proxy;
    try {
      proxy = parseProxy(node);
    } catch (err) {
      if (err instanceof NodeIdError) {
        this.fail(grpc.status.INVALID_ARGUMENT, err.message);
        return undefined;
      }
      throw err;
    }
    const conn = new Connection(this.core.nextConnectionId(proxy.id), proxy, this.call.getPeer());
    this.conn = conn;
    this.core.metrics.xdsConnections.inc();
    this.core.log.info({ proxy: proxy.id, conn: conn.id, peer: conn.peer, kind: proxy.kind, protocol: this.protocol }, 'xDS stream connected');
    this.core.emit({ kind: 'connect', conn: conn.id, proxy: proxy.id, time: new Date(this.core.now()), proxyKind: proxy.kind, peer: conn.peer, protocol: this.protocol, node: proxy });
    return conn;
  }

  fail(code: grpc.status, details: string): void {
    if (this.closed) return;
    this.core.log.warn({ proxy: this.conn?.proxy.id, peer: this.call.getPeer(), code: grpc.status[code], details }, 'refusing xDS stream');
    this.call.emit('error', { code, details });
    this.close(details);
  }

  /** Ends the stream from the server side (shutdown). */
  end(reason: string): void {
    this.call.end();
    this.close(reason);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseDrain();
    this.admission?.release();
    const conn = this.conn;
    if (conn) {
      this.core.metrics.xdsConnections.dec();
      this.core.log.info({ proxy: conn.proxy.id, conn: conn.id, reason }, 'xDS stream disconnected');
      this.core.emit({ kind: 'disconnect', conn: conn.id, proxy: conn.proxy.id, time: new Date(this.core.now()), reason });
      conn.free();
    }
    this.onClosed(this);
  }

  /**
   * Resolves once written responses left the buffer (or the stream closed), or after
   * `timeoutMs`: a client that stops reading must not hold a push slot forever, which would
   * stall pushes to everyone once it (and others like it) hold every slot.
   */
  drained(timeoutMs: number): Promise<void> {
    if (!this.needDrain || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        this.core.log.warn({ proxy: this.conn?.proxy.id, timeoutMs }, 'xDS client is not reading its responses; releasing its push slot');
        resolve();
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.drainWaiters.push(done);
    });
  }

  private releaseDrain(): void {
    this.needDrain = false;
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    ws.forEach((w) => w());
  }

  /** A queued push: each watched type the change can affect, in make-before-break order. */
  pushTo(req: ConnPush, push: PushContext): void {
    const conn = this.conn;
    if (!conn || this.closed) return;
    let full = new Set<XdsTypeUrl>();
    if (req.full && (req.changed === undefined || this.affects(push, req.changed))) full = new Set(affectedTypes(req.changed));
    if (req.refresh) full.add(TypeUrl.Cluster).add(TypeUrl.Listener);
    let cdsSent: string[] | undefined;
    for (const typeUrl of PUSH_ORDER) {
      const w = conn.watched.get(typeUrl);
      if (!w || this.closed) continue;
      if (w.awaitingResponse || full.has(typeUrl)) {
        // After a CDS response, EDS for its clusters goes out even if unchanged (clusters warm).
        const force = typeUrl === TypeUrl.ClusterLoadAssignment && cdsSent ? new Set(cdsSent) : undefined;
        const sent = this.send(w, push, { mustRespond: w.awaitingResponse, force }, req.triggeredAt);
        if (typeUrl === TypeUrl.Cluster) cdsSent = sent;
        continue;
      }
      if (typeUrl !== TypeUrl.ClusterLoadAssignment) continue;
      const only = new Set(req.clusters);
      for (const c of cdsSent ?? []) only.add(c);
      if (only.size > 0) this.send(w, push, { mustRespond: false, only, force: cdsSent && new Set(cdsSent) }, req.triggeredAt);
    }
  }

  /** Can `changed` affect this proxy? When the check itself fails, assume it can: a wrong
   * "yes" costs a recompute that sends nothing, a wrong "no" leaves the proxy stale. */
  private affects(push: PushContext, changed: readonly ConfigKey[]): boolean {
    const conn = this.conn;
    if (!conn) return false;
    try {
      return affectsProxy(push, conn.proxy, changed);
    } catch (err) {
      this.core.pushFailed(err, conn.proxy.id, 'affectsProxy failed; pushing as if the change affects the proxy');
      return true;
    }
  }

  /** Answers a request now, or when the first PushContext arrives. */
  protected respond(w: WatchedType, mustRespond = true): void {
    const push = this.core.current;
    if (!push) {
      w.awaitingResponse = true;
      return;
    }
    const sent = this.send(w, push, { mustRespond }, undefined);
    // Envoy keeps an updated cluster warming until EDS for it arrives: always send it.
    const eds = this.conn?.watched.get(TypeUrl.ClusterLoadAssignment);
    if (w.typeUrl === TypeUrl.Cluster && sent && sent.length > 0 && eds) {
      this.send(eds, push, { mustRespond: false, force: new Set(sent) }, undefined);
    }
  }

  /** Plans, writes and records one response; returns the names sent, undefined if none. */
  protected send(w: WatchedType, push: PushContext, opts: ResponseOptions, triggeredAt: number | undefined): string[] | undefined {
    const conn = this.conn;
    if (!conn || this.closed || !this.core.generators[w.typeUrl as XdsTypeUrl]) return undefined;
    const type = typeLabel(w.typeUrl);
    const start = process.hrtime.bigint();
    let planned: Planned<Res> | undefined;
    try {
      planned = this.plan(w, push, opts);
    } catch (err) {
      // A generator or codec bug must not take the stream down; the proxy keeps its config.
      this.core.log.error({ err, proxy: conn.proxy.id, type, version: push.version }, 'generating xDS response failed');
      // A request is still waiting for its answer (Envoy may wait forever, e.g. EDS with
      // initial_fetch_timeout 0): the next push tries again.
      if (opts.mustRespond) w.awaitingResponse = true;
      return undefined;
    }
    if (!planned) return undefined;
    if (!this.call.write(planned.message)) this.needDrain = true;
    const now = new Date(this.core.now());
    planned.commit(now);
    this.core.trackConvergence(conn, w.typeUrl, planned.nonce, triggeredAt);
    const m = this.core.metrics;
    m.xdsPushes.inc({ type });
    m.configSize.observe({ type }, planned.bytes);
    this.core.emit({
      kind: 'send',
      conn: conn.id,
      proxy: conn.proxy.id,
      time: now,
      typeUrl: w.typeUrl,
      version: planned.version,
      nonce: planned.nonce,
      names: planned.names,
      ...(planned.removed ? { removed: planned.removed } : {}),
      bytes: planned.bytes,
    });
    m.xdsPushTime.observe({ type }, Number(process.hrtime.bigint() - start) / 1e9);
    if (this.core.log.isLevelEnabled('debug')) {
      this.core.log.debug(
        { proxy: conn.proxy.id, type, version: push.version, nonce: planned.nonce, resources: planned.names.length, removed: planned.removed?.length, bytes: planned.bytes },
        'pushed',
      );
    }
    return planned.names;
  }
}
