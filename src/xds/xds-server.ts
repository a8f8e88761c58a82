// The ADS server: accepts SotW streams, keeps per-stream state, answers requests per
// Istio's shouldRespond table and pushes new PushContexts to every stream.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { encodeValidResource } from '../envoy/validate.js';
import type { XdsEvent, XdsObserver } from './observer.js';
import type { Metrics } from '../metrics.js';
import type { PushContext } from '../push/push-context.js';
import { PUSH_ORDER, SHORT_TYPE, TypeUrl } from '../translate/api.js';
import type { Generator, XdsTypeUrl } from '../translate/api.js';
import { NodeIdError, parseProxy } from '../translate/proxy.js';
import type { Proxy } from '../translate/proxy.js';
import { adsServiceDefinition } from './ads-service.js';
import type { DiscoveryRequest, DiscoveryResponse } from './ads-service.js';
import { Connection } from './connection.js';
import type { ConnectionSnapshot, WatchedType } from './connection.js';
import { ResourceCache } from './resource-cache.js';
import type { CacheStats, Encoder } from './resource-cache.js';
import type { PushScope } from '../push/push-scope.js';
import { commitSent, planResponse } from './responder.js';
import type { ResponseOptions } from './responder.js';
import { isWildcardType, shouldRespond } from './should-respond.js';

export type { PushScope } from '../push/push-scope.js';

export interface XdsServerOptions {
  logger: Logger;
  metrics: Metrics;
  /** One generator per type served; requests for other types are logged and ignored. */
  generators: Partial<Record<XdsTypeUrl, Generator>>;
  /** Resource encoder: the strict proto3-JSON codec plus Envoy's validate.rules, unless a test swaps it. */
  encode?: Encoder;
  /** Clock for convergence timing, in ms (tests). */
  now?: () => number;
  /** Told of connects, disconnects, responses, ACKs and NACKs (debug API, UI, traces). */
  observers?: XdsObserver[];
}

/** One NACK, as kept for the debug surface and tests. */
export interface NackEvent {
  proxy: string;
  /** Short type (lds/rds/cds/eds). */
  type: string;
  nonce: string;
  /** The version the proxy still runs (the NACK's version_info). */
  version: string;
  message: string;
  time: Date;
}

// NACK history is for humans and tests; bound it so a NACK storm cannot grow memory.
const NACK_HISTORY = 256;

type AdsCall = grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>;

interface Stream {
  call: AdsCall;
  /** Undefined until the first request (which carries node) arrives. */
  conn: Connection | undefined;
  closed: boolean;
}

function typeLabel(typeUrl: string): string {
  return SHORT_TYPE[typeUrl as XdsTypeUrl] ?? typeUrl;
}

/** Cluster names end in `|HOST` (outbound|PORT|SUBSET|HOST). */
function hostOfCluster(name: string): string | undefined {
  const bar = name.lastIndexOf('|');
  return bar < 0 ? undefined : name.slice(bar + 1);
}

// Yield to the event loop every so many streams during a push, so that requests and ACKs
// of other streams are not starved by a push to thousands of proxies.
const YIELD_EVERY = 64;

export class XdsServer {
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly generators: Partial<Record<XdsTypeUrl, Generator>>;
  private readonly cache: ResourceCache;
  private readonly now: () => number;
  private readonly streams = new Set<Stream>();
  private grpcServer: grpc.Server | undefined;
  private current: PushContext | undefined;
  private streamCounter = 0;
  private readonly nacks: NackEvent[] = [];
  private readonly observers: XdsObserver[];

  constructor(opts: XdsServerOptions) {
    this.log = opts.logger;
    this.metrics = opts.metrics;
    this.generators = opts.generators;
    this.now = opts.now ?? Date.now;
    this.observers = [...(opts.observers ?? [])];
    this.cache = new ResourceCache(opts.encode ?? encodeValidResource, (typeUrl, name) =>
      this.log.error({ type: typeLabel(typeUrl), name }, 'generator returned a resource name twice; keeping the first'),
    );
  }

  /** Binds `host:port` (port 0 = ephemeral) and resolves with the bound port. */
  async listen(address: string): Promise<number> {
    const server = new grpc.Server();
    server.addService(adsServiceDefinition(), {
      StreamAggregatedResources: (call: AdsCall) => this.onStream(call),
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        call.emit('error', {
          code: grpc.status.UNIMPLEMENTED,
          details: 'DeltaAggregatedResources (incremental xDS) is not implemented yet: use StreamAggregatedResources (SotW)',
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.grpcServer = server;
    this.log.info({ address, port }, 'xDS gRPC server listening');
    return port;
  }

  /**
   * Pushes a new snapshot. Full: every stream gets each type it watches, recomputed, and
   * only what changed for it. EDS: only streams watching one of `clusters` (or all EDS),
   * only those names. `triggeredAt` (ms) starts the convergence clock.
   */
  async push(push: PushContext, scope: PushScope, triggeredAt?: number): Promise<void> {
    this.current = push;
    this.cache.advance(push.version, scope);
    let i = 0;
    for (const s of [...this.streams]) {
      if (s.closed || !s.conn) continue;
      this.pushTo(s, s.conn, push, scope, triggeredAt);
      if (++i % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * EDS cluster names known for these hosts: subscribed by a stream, sent to one, or cached.
   * The controller turns an endpoint change's hosts into an EDS push scope with this.
   */
  edsClustersForHosts(hosts: Iterable<string>): Set<string> {
    const want = new Set(hosts);
    const out = new Set<string>();
    const consider = (n: string): void => {
      const h = hostOfCluster(n);
      if (h !== undefined && want.has(h)) out.add(n);
    };
    for (const n of this.cache.names(TypeUrl.ClusterLoadAssignment)) consider(n);
    for (const s of this.streams) {
      const w = s.conn?.watched.get(TypeUrl.ClusterLoadAssignment);
      if (!w) continue;
      for (const n of w.subscription.names) consider(n);
      for (const n of w.sentHashes.keys()) consider(n);
    }
    return out;
  }

  connections(): ConnectionSnapshot[] {
    const out: ConnectionSnapshot[] = [];
    for (const s of this.streams) if (s.conn) out.push(s.conn.snapshot());
    return out;
  }

  /** Adds an observer of connection and message events; returns a function removing it. */
  observe(observer: XdsObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  private emit(event: XdsEvent): void {
    for (const o of this.observers) {
      try {
        o(event);
      } catch (err) {
        this.log.error({ err }, 'xDS observer failed');
      }
    }
  }

  /** The most recent NACKs (up to 256), oldest first. */
  nackHistory(): NackEvent[] {
    return [...this.nacks];
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  async close(): Promise<void> {
    const server = this.grpcServer;
    this.grpcServer = undefined;
    for (const s of [...this.streams]) {
      s.call.end();
      this.closeStream(s, 'server shutting down');
    }
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 1000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private onStream(call: AdsCall): void {
    const s: Stream = { call, conn: undefined, closed: false };
    this.streams.add(s);
    call.on('data', (req: DiscoveryRequest) => {
      try {
        this.onRequest(s, req);
      } catch (err) {
        this.log.error({ err, proxy: s.conn?.proxy.id }, 'xDS request failed');
        this.fail(s, grpc.status.INTERNAL, `internal error: ${(err as Error).message}`);
      }
    });
    call.on('end', () => {
      call.end();
      this.closeStream(s, 'client closed the stream');
    });
    call.on('cancelled', () => this.closeStream(s, 'stream cancelled'));
    call.on('error', (err: Error) => this.closeStream(s, `stream error: ${err.message}`));
    call.on('close', () => this.closeStream(s, 'stream closed'));
  }

  private fail(s: Stream, code: grpc.status, details: string): void {
    if (s.closed) return;
    this.log.warn({ proxy: s.conn?.proxy.id, peer: s.call.getPeer(), code: grpc.status[code], details }, 'refusing xDS stream');
    s.call.emit('error', { code, details });
    this.closeStream(s, details);
  }

  private closeStream(s: Stream, reason: string): void {
    if (s.closed) return;
    s.closed = true;
    this.streams.delete(s);
    if (s.conn) {
      this.metrics.xdsConnections.dec();
      this.log.info({ proxy: s.conn.proxy.id, conn: s.conn.id, reason }, 'xDS stream disconnected');
      this.emit({ kind: 'disconnect', conn: s.conn.id, proxy: s.conn.proxy.id, time: new Date(this.now()), reason });
      s.conn.free();
    }
  }

  private onRequest(s: Stream, req: DiscoveryRequest): void {
    if (s.closed) return;
    if (!s.conn) {
      if (!req.node) return this.fail(s, grpc.status.INVALID_ARGUMENT, 'the first DiscoveryRequest on a stream must carry node');
      let proxy: Proxy;
      try {
        proxy = parseProxy(req.node);
      } catch (err) {
        if (err instanceof NodeIdError) return this.fail(s, grpc.status.INVALID_ARGUMENT, err.message);
        throw err;
      }
      this.streamCounter += 1;
      s.conn = new Connection(`${proxy.id}-${this.streamCounter}`, proxy, s.call.getPeer());
      this.metrics.xdsConnections.inc();
      this.log.info({ proxy: proxy.id, conn: s.conn.id, peer: s.conn.peer, kind: proxy.kind }, 'xDS stream connected');
      this.emit({ kind: 'connect', conn: s.conn.id, proxy: proxy.id, time: new Date(this.now()), proxyKind: proxy.kind, peer: s.conn.peer, protocol: 'sotw' });
    }
    if (!req.typeUrl) {
      return this.fail(s, grpc.status.INVALID_ARGUMENT, 'DiscoveryRequest without type_url: ADS needs type_url on every request');
    }
    const conn = s.conn;
    const typeUrl = req.typeUrl;
    const gen = this.generators[typeUrl as XdsTypeUrl];
    const type = typeLabel(typeUrl);
    if (!gen) {
      this.log.warn({ proxy: conn.proxy.id, type: typeUrl }, 'request for a type this server does not serve; ignored');
      return;
    }
    const prev = conn.watched.get(typeUrl);
    const d = shouldRespond(prev && { subscription: prev.subscription, nonceSent: prev.nonceSent }, req);
    const log = { proxy: conn.proxy.id, type, nonce: req.responseNonce, version: req.versionInfo };
    const base = { conn: conn.id, proxy: conn.proxy.id, time: new Date(this.now()), typeUrl, nonce: req.responseNonce, version: req.versionInfo };
    this.emit({ ...base, kind: 'request', names: [...req.resourceNames] });
    switch (d.kind) {
      case 'nack': {
        const message = req.errorDetail?.message ?? '';
        this.metrics.xdsRejects.inc({ type });
        this.log.warn({ ...log, message }, 'NACK: proxy rejected config');
        const time = new Date(this.now());
        if (prev) prev.lastNack = { nonce: req.responseNonce, version: req.versionInfo, message, time };
        this.nacks.push({ proxy: conn.proxy.id, type, nonce: req.responseNonce, version: req.versionInfo, message, time });
        if (this.nacks.length > NACK_HISTORY) this.nacks.shift();
        this.emit({ ...base, kind: 'nack', message });
        // The rejected push has not converged and will not: stop timing it.
        if (conn.convergence?.outstanding.get(typeUrl) === req.responseNonce) conn.convergence = undefined;
        return;
      }
      case 'stale':
        this.log.debug({ ...log, nonceSent: prev?.nonceSent }, 'stale nonce; ignored');
        return;
      case 'ack':
      case 'subscription-changed': {
        const w = prev as WatchedType;
        w.nonceAcked = req.responseNonce;
        w.versionAcked = req.versionInfo;
        this.noteAck(conn, typeUrl, req.responseNonce);
        this.emit({ ...base, kind: 'ack' });
        if (d.kind === 'ack') return this.log.debug(log, 'ACK');
        w.subscription = d.subscription;
        for (const n of d.added) w.forceNames.add(n);
        if (!isWildcardType(typeUrl)) for (const n of d.removed) w.sentHashes.delete(n);
        this.log.debug({ ...log, added: d.added, removed: d.removed }, 'subscription changed');
        if (d.respond) this.respond(s, w);
        return;
      }
      case 'initial':
      case 'reconnect': {
        const w = conn.watch(typeUrl, d.subscription);
        // A request without nonce starts the type over: whatever we sent is forgotten.
        w.sentHashes = new Map();
        w.forceNames.clear();
        this.log.debug({ ...log, kind: d.kind, names: d.added, wildcard: d.subscription.wildcard }, 'new watch');
        this.respond(s, w);
        return;
      }
    }
  }

  private noteAck(conn: Connection, typeUrl: string, nonce: string): void {
    const c = conn.convergence;
    if (!c || c.outstanding.get(typeUrl) !== nonce) return;
    c.outstanding.delete(typeUrl);
    if (c.outstanding.size === 0) {
      this.metrics.proxyConvergence.observe((this.now() - c.triggeredAt) / 1000);
      conn.convergence = undefined;
    }
  }

  /** Answers a request now, or when the first PushContext arrives. */
  private respond(s: Stream, w: WatchedType): void {
    if (!this.current) {
      w.awaitingResponse = true;
      return;
    }
    const sent = this.send(s, w, this.current, { mustRespond: true }, undefined);
    // Envoy keeps an updated cluster warming until EDS for it arrives: always send it.
    const eds = s.conn?.watched.get(TypeUrl.ClusterLoadAssignment);
    if (w.typeUrl === TypeUrl.Cluster && sent && eds) {
      this.send(s, eds, this.current, { mustRespond: false, force: new Set(sent) }, undefined);
    }
  }

  private pushTo(s: Stream, conn: Connection, push: PushContext, scope: PushScope, triggeredAt: number | undefined): void {
    let cdsSent: string[] | undefined;
    for (const typeUrl of PUSH_ORDER) {
      const w = conn.watched.get(typeUrl);
      if (!w || s.closed) continue;
      if (w.awaitingResponse) {
        const sent = this.send(s, w, push, { mustRespond: true }, triggeredAt);
        if (typeUrl === TypeUrl.Cluster) cdsSent = sent;
        continue;
      }
      if (scope.kind === 'eds') {
        if (typeUrl === TypeUrl.ClusterLoadAssignment) this.send(s, w, push, { mustRespond: false, only: scope.clusters }, triggeredAt);
        continue;
      }
      // After a CDS response, EDS for its clusters goes out even if unchanged (clusters warm).
      const force = typeUrl === TypeUrl.ClusterLoadAssignment && cdsSent ? new Set(cdsSent) : undefined;
      const sent = this.send(s, w, push, { mustRespond: false, force }, triggeredAt);
      if (typeUrl === TypeUrl.Cluster) cdsSent = sent;
    }
  }

  /** Plans, writes and records one response; returns the names sent, undefined if none. */
  private send(
    s: Stream,
    w: WatchedType,
    push: PushContext,
    opts: ResponseOptions,
    triggeredAt: number | undefined,
  ): string[] | undefined {
    const conn = s.conn;
    const gen = this.generators[w.typeUrl as XdsTypeUrl];
    if (!gen || !conn || s.closed) return undefined;
    const type = typeLabel(w.typeUrl);
    const start = process.hrtime.bigint();
    let planned;
    try {
      planned = planResponse(conn, w, push, gen, this.cache, opts);
    } catch (err) {
      // A generator or codec bug must not take the stream down; the proxy keeps its config.
      this.log.error({ err, proxy: conn.proxy.id, type, version: push.version }, 'generating xDS response failed');
      return undefined;
    }
    if (!planned) return undefined;
    s.call.write(planned.response);
    commitSent(w, planned, new Date(this.now()));
    this.trackConvergence(conn, w.typeUrl, planned.response.nonce, triggeredAt);
    this.metrics.xdsPushes.inc({ type });
    this.emit({
      kind: 'send',
      conn: conn.id,
      proxy: conn.proxy.id,
      time: new Date(this.now()),
      typeUrl: w.typeUrl,
      version: planned.response.versionInfo,
      nonce: planned.response.nonce,
      names: planned.resources.map((r) => r.name),
      bytes: planned.bytes,
    });
    this.metrics.configSize.observe({ type }, planned.bytes);
    this.metrics.xdsPushTime.observe({ type }, Number(process.hrtime.bigint() - start) / 1e9);
    this.log.debug(
      { proxy: conn.proxy.id, type, version: push.version, nonce: planned.response.nonce, resources: planned.resources.length, bytes: planned.bytes },
      'pushed',
    );
    return planned.resources.map((r) => r.name);
  }

  private trackConvergence(conn: Connection, typeUrl: string, nonce: string, triggeredAt: number | undefined): void {
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
