// The ADS server: accepts SotW and delta streams (admission.ts), and turns each push of a
// new PushContext into one queued push per affected connection (push-queue.ts), which the
// stream carries out (stream.ts). Per-stream protocol logic lives in sotw-stream.ts and
// delta-stream.ts; what they share (cache, observers, NACKs, convergence) in core.ts.
import { availableParallelism } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { encodeValidResource } from '../envoy/validate.js';
import { StreamAdmission, DEFAULT_INITIALIZING_STREAMS } from './admission.js';
import type { AdmissionSlot, AdmissionStats } from './admission.js';
import type { XdsObserver } from './observer.js';
import type { Metrics } from '../metrics.js';
import type { PushContext } from '../push/push-context.js';
import type { PushScope } from '../push/push-scope.js';
import { TypeUrl } from '../translate/api.js';
import type { Generator, XdsTypeUrl } from '../translate/api.js';
import { adsServiceDefinition } from './ads-service.js';
import type { DiscoveryRequest, DiscoveryResponse } from './ads-service.js';
import type { ConnectionSnapshot } from './connection.js';
import { ServerCore, typeLabel } from './core.js';
import type { NackEvent } from './core.js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from './delta-codec.js';
import { DeltaStream } from './delta-stream.js';
import { PushQueue } from './push-queue.js';
import type { ConnPush, PushQueueStats } from './push-queue.js';
import { endpointRefresh } from './endpoint-refresh.js';
import { ResourceCache } from './resource-cache.js';
import type { CacheStats, Encoder } from './resource-cache.js';
import { SotwStream } from './sotw-stream.js';
import { TokenBucket, defaultConcurrency } from './stream-limiter.js';
import type { ServerStream } from './stream.js';

export type { PushScope } from '../push/push-scope.js';
export type { NackEvent } from './core.js';

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
  /** Concurrent pushes (PILOT_PUSH_THROTTLE); default min(15 + 5 × cores, 100). */
  pushThrottle?: number;
  /**
   * New streams per second (PILOT_MAX_REQUESTS_PER_SECOND); 0 = no limit, the default.
   * Istio defaults to min(15 + 5 × cores, 100); we admit by maxInitializingStreams instead.
   */
  maxStreamsPerSecond?: number;
  /** Streams receiving their first full config at once; later ones wait (admission.ts). 0 = no limit. */
  maxInitializingStreams?: number;
  /** Longest a new stream counts as initialising (default 5 s). */
  maxInitializingMs?: number;
  /** How long a new stream waits for the rate limiter before RESOURCE_EXHAUSTED (Istio: 1 s). */
  maxStreamWaitMs?: number;
  /** How long a push holds its slot waiting for a slow reader to take its writes (default 5 s). */
  drainTimeoutMs?: number;
}

type AnyStream = ServerStream;

function hostOfCluster(name: string): string | undefined {
  const bar = name.lastIndexOf('|');
  return bar < 0 ? undefined : name.slice(bar + 1);
}

export class XdsServer {
  private readonly core: ServerCore;
  private readonly streams = new Set<AnyStream>();
  private readonly queue: PushQueue<AnyStream>;
  private readonly limiter: TokenBucket;
  private readonly admission: StreamAdmission;
  private readonly maxStreamWaitMs: number;
  private readonly drainTimeoutMs: number;
  private grpcServer: grpc.Server | undefined;

  constructor(opts: XdsServerOptions) {
    const log = opts.logger;
    const cache = new ResourceCache(opts.encode ?? encodeValidResource, (typeUrl, name) =>
      log.error({ type: typeLabel(typeUrl), name }, 'generator returned a resource name twice; keeping the first'),
    );
    this.core = new ServerCore(log, opts.metrics, opts.generators, cache, opts.now ?? Date.now, [...(opts.observers ?? [])]);
    const cores = availableParallelism();
    this.queue = new PushQueue(opts.pushThrottle ?? defaultConcurrency(cores), (s, req) => this.runPush(s, req));
    this.limiter = new TokenBucket(opts.maxStreamsPerSecond ?? 0);
    this.admission = new StreamAdmission(opts.maxInitializingStreams ?? DEFAULT_INITIALIZING_STREAMS, opts.maxInitializingMs ?? 5000, () =>
      log.warn({ timeoutMs: opts.maxInitializingMs ?? 5000 }, 'xDS stream still initialising after the admission hold time; admitting the next one anyway'),
    );
    this.maxStreamWaitMs = opts.maxStreamWaitMs ?? 1000;
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 5000;
  }

  /** Binds `host:port` (port 0 = ephemeral) and resolves with the bound port. */
  async listen(address: string): Promise<number> {
    const server = new grpc.Server();
    server.addService(adsServiceDefinition(), {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>) =>
        void this.admit(call, (slot) => new SotwStream(this.core, call, 'sotw', (s) => this.forget(s), slot)),
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) =>
        void this.admit(call, (slot) => new DeltaStream(this.core, call, 'delta', (s) => this.forget(s), slot)),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.grpcServer = server;
    this.core.log.info({ address, port }, 'xDS gRPC server listening');
    return port;
  }

  /**
   * Lets a new stream in: first the optional rate limit, as istiod does (wait up to a
   * second, else RESOURCE_EXHAUSTED), then its turn among streams taking their first
   * config (admission.ts). Requests that arrive meanwhile wait, unread, in the call.
   */
  private async admit(call: grpc.ServerDuplexStream<unknown, unknown>, open: (slot: AdmissionSlot) => AnyStream): Promise<void> {
    if (!(await this.limiter.acquire(this.maxStreamWaitMs))) {
      this.core.metrics.xdsStreamsRateLimited.inc();
      this.core.log.warn({ peer: call.getPeer() }, 'xDS stream refused: new-stream rate limit exceeded');
      call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'new-stream rate limit exceeded; retry with backoff' });
      return;
    }
    const ticket = this.admission.enter();
    call.once('cancelled', ticket.cancel);
    const slot = await ticket.slot;
    call.off('cancelled', ticket.cancel);
    if (!slot) return;
    if (call.cancelled || this.grpcServer === undefined) return slot.release();
    this.streams.add(open(slot));
  }

  private forget(s: AnyStream): void {
    this.streams.delete(s);
    this.queue.remove(s);
  }

  /**
   * Pushes a new snapshot: queues one push per connection it can concern, merged with any
   * push still queued for it. Full: each connection recomputes the types `scope.changed`
   * can affect, unless the change cannot affect the proxy at all (translate/scope.ts).
   * EDS: connections watching one of `scope.clusters` (or all EDS), only those names; and
   * CDS/LDS of the proxies the moved endpoints reach (endpoint-refresh.ts).
   * `triggeredAt` (ms) starts the convergence clock. Resolves once every queued push ran.
   */
  async push(push: PushContext, scope: PushScope, triggeredAt?: number): Promise<void> {
    const prev = this.core.current;
    this.core.current = push;
    this.core.cache.advance(push.version, scope);
    // Endpoints also shape CDS and LDS for some proxies (endpoint-refresh.ts): those
    // recompute them too, and the hash comparison sends only what changed.
    const reaches = scope.kind === 'eds' ? endpointRefresh(prev, push, scope.hosts) : undefined;
    // The cache's CDS/LDS were generated from the endpoints before this push; entries are
    // shared and outlive streams (a proxy reconnecting later), so all go. Only the proxies
    // that use them again pay for regenerating them.
    if (scope.kind === 'eds' && scope.hosts?.size !== 0) this.core.cache.invalidate([TypeUrl.Cluster, TypeUrl.Listener]);
    const done: Promise<void>[] = [];
    for (const s of this.streams) {
      const conn = s.conn;
      if (!conn || s.closed) continue;
      const refresh = reaches !== undefined && (conn.watched.has(TypeUrl.Cluster) || conn.watched.has(TypeUrl.Listener)) && reaches(conn.proxy);
      if (scope.kind === 'eds' && !refresh && !this.watchesAny(s, scope.clusters)) continue;
      const req: ConnPush =
        scope.kind === 'full'
          ? { full: true, changed: scope.changed && [...scope.changed], clusters: new Set(), triggeredAt }
          : { full: false, changed: undefined, clusters: new Set(scope.clusters), triggeredAt, refresh };
      done.push(this.queue.enqueue(s, req));
    }
    await Promise.all(done);
  }

  private watchesAny(s: AnyStream, clusters: ReadonlySet<string>): boolean {
    const w = s.conn?.watched.get(TypeUrl.ClusterLoadAssignment);
    if (!w) return false;
    if (w.awaitingResponse || w.subscription.wildcard) return true;
    const names = w.subscription.names;
    if (clusters.size <= names.size) {
      for (const c of clusters) if (names.has(c)) return true;
    } else {
      for (const n of names) if (clusters.has(n)) return true;
    }
    return false;
  }

  private async runPush(s: AnyStream, req: ConnPush): Promise<void> {
    const push = this.core.current;
    if (!push || s.closed) return;
    try {
      s.pushTo(req, push);
    } catch (err) {
      // The queue only keeps going after a throw; saying so is up to us.
      this.core.pushFailed(err, s.conn?.proxy.id, 'queued push failed');
      return;
    }
    // Backpressure: the push holds its slot until the client has taken what we wrote.
    await s.drained(this.drainTimeoutMs);
  }

  /** Resolves when no push is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * EDS cluster names known for these hosts: subscribed by a stream, sent to one, or cached.
   * The controller turns an endpoint change's hosts into an EDS push scope with this.
   */
  edsClustersForHosts(hosts: Iterable<string>): Set<string> {
    const want = new Set(hosts);
    if (want.size === 1) return this.edsClustersForHost([...want][0]!);
    const out = new Set<string>();
    // Every name of every stream is looked at (hundreds of thousands with many all-seeing
    // proxies): for the usual one or few hosts a suffix test allocates nothing, where
    // slicing out each name's host did.
    const suffixes = want.size <= 4 ? [...want].map((h) => `|${h}`) : undefined;
    const consider = suffixes
      ? (n: string): void => {
          for (const sfx of suffixes) if (n.endsWith(sfx)) out.add(n);
        }
      : (n: string): void => {
          const h = hostOfCluster(n);
          if (h !== undefined && want.has(h)) out.add(n);
        };
    for (const n of this.core.cache.names(TypeUrl.ClusterLoadAssignment)) consider(n);
    this.forEachEdsName(consider);
    return out;
  }

  /** edsClustersForHosts for the usual single host, with plain loops (no call per name). */
  private edsClustersForHost(host: string): Set<string> {
    const sfx = `|${host}`;
    const out = new Set<string>();
    for (const n of this.core.cache.names(TypeUrl.ClusterLoadAssignment)) if (n.endsWith(sfx)) out.add(n);
    this.forEachEdsName((n) => {
      if (n.endsWith(sfx)) out.add(n);
    });
    return out;
  }

  /**
   * Every EDS name a stream subscribes to or was sent. Subscriptions and sent lists are
   * mostly shared between streams (pooled, or the cache's list), and each shared one is
   * read once: 1000 all-seeing proxies cost one pass over their 1000 names, not a million.
   */
  private forEachEdsName(fn: (name: string) => void): void {
    const seen = new Set<object>();
    for (const s of this.streams) {
      const w = s.conn?.watched.get(TypeUrl.ClusterLoadAssignment);
      if (!w) continue;
      if (!seen.has(w.subscription.names)) {
        seen.add(w.subscription.names);
        for (const n of w.subscription.names) fn(n);
      }
      w.sentHashes.forEachName(seen, fn);
    }
  }

  connections(): ConnectionSnapshot[] {
    const out: ConnectionSnapshot[] = [];
    for (const s of this.streams) if (s.conn) out.push(s.conn.snapshot());
    return out;
  }

  /** Open streams, including those that have not sent their first request yet (leak checks). */
  streamCount(): number {
    return this.streams.size;
  }

  /** Adds an observer of connection and message events; returns a function removing it. */
  observe(observer: XdsObserver): () => void {
    const list = this.core.observers;
    list.push(observer);
    return () => {
      const i = list.indexOf(observer);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** The most recent NACKs (up to 256), oldest first. */
  nackHistory(): NackEvent[] {
    return this.core.nackHistory();
  }

  cacheStats(): CacheStats {
    return this.core.cache.stats();
  }

  /** The push queue's counters, plus `errors`: queued pushes that threw (since start). */
  pushQueueStats(): PushQueueStats & { errors: number } {
    return { ...this.queue.stats(), errors: this.core.pushErrors };
  }

  /** Streams initialising and waiting for admission (admission.ts). */
  admissionStats(): AdmissionStats {
    return this.admission.stats();
  }

  async close(): Promise<void> {
    const server = this.grpcServer;
    this.grpcServer = undefined;
    this.admission.clear();
    for (const s of [...this.streams]) s.end('server shutting down');
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
}
