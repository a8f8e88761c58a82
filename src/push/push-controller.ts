// Turns config store events into pushes: debounces them, then either rebuilds the whole
// PushContext (full push) or, when every event only moved endpoints, derives a new one
// with updateEndpoints and pushes EDS for the changed hosts' clusters only.
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { ENDPOINT_KINDS } from '../model/config.js';
import type { ConfigEvent, ConfigKey } from '../model/config.js';
import type { ConfigStore, ConfigStoreReader } from '../model/store.js';
import { DEFAULT_MESH_CONFIG } from './push-context.js';
import type { MeshConfig, PushContext } from './push-context.js';
import { DEFAULT_DEBOUNCE, Debouncer } from './debounce.js';
import type { Batch } from './debounce.js';
import type { PushScope } from './push-scope.js';

export type { PushScope } from './push-scope.js';

/** What the controller pushes to: XdsServer implements it. */
export interface PushTarget {
  push(push: PushContext, scope: PushScope, triggeredAt?: number): Promise<void> | void;
  /** EDS cluster names (`...|HOST`) the target knows for these hosts. */
  edsClustersForHosts(hosts: Iterable<string>): Set<string>;
}

/** src/push/build-push-context.ts's functions, injected so tests can count and fake them. */
export interface PushBuilder {
  buildPushContext(store: ConfigStoreReader, mesh: MeshConfig, version: string): PushContext;
  updateEndpoints(prev: PushContext, store: ConfigStoreReader, version: string): { push: PushContext; changedHosts: Iterable<string> };
}

export interface PushControllerOptions {
  store: ConfigStore;
  server: PushTarget;
  builder: PushBuilder;
  logger: Logger;
  metrics: Metrics;
  mesh?: MeshConfig;
  /** PILOT_DEBOUNCE_AFTER in ms (default 100); see debounceFromEnv(). */
  debounceAfterMs?: number;
  /** PILOT_DEBOUNCE_MAX in ms (default 10 000). */
  debounceMaxMs?: number;
  now?: () => number;
}

/** The last push, for the debug surface (/debug/push_status). */
export interface PushStatus {
  version: string;
  kind: 'full' | 'eds';
  /** Config events merged into it (0 for the initial push). */
  events: number;
  changedHosts?: string[];
  clusters?: number;
  triggeredAt: string;
  durationMs: number;
}

/** The distinct objects a batch touched: the server skips proxies and types they cannot affect. */
function changedKeys(events: readonly ConfigEvent[]): ConfigKey[] {
  const seen = new Map<string, ConfigKey>();
  for (const e of events) {
    const k = `${e.kind}/${e.namespace}/${e.name}`;
    if (!seen.has(k)) seen.set(k, { kind: e.kind, namespace: e.namespace, name: e.name });
  }
  return [...seen.values()];
}

export class PushController {
  private readonly debouncer: Debouncer<ConfigEvent>;
  private readonly now: () => number;
  private readonly mesh: MeshConfig;
  private currentPush: PushContext | undefined;
  private counter = 0;
  private unsubscribe: (() => void) | undefined;
  private last: PushStatus | undefined;
  /**
   * A full build failed: its config changes were never pushed, so the next batch must be a
   * full push of everything even if it only moves endpoints (else they are lost).
   */
  private fullPending = false;
  /** Pushes handed to the server and not yet delivered to every connection. */
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: PushControllerOptions) {
    this.now = opts.now ?? Date.now;
    this.mesh = opts.mesh ?? DEFAULT_MESH_CONFIG;
    this.debouncer = new Debouncer<ConfigEvent>(
      {
        afterMs: opts.debounceAfterMs ?? DEFAULT_DEBOUNCE.afterMs,
        maxMs: opts.debounceMaxMs ?? DEFAULT_DEBOUNCE.maxMs,
        now: this.now,
      },
      (batch) => this.onBatch(batch),
    );
  }

  /**
   * Builds and pushes the first PushContext from what the store holds now, then follows
   * its events. Call once the initial config is loaded.
   */
  async start(): Promise<PushContext> {
    this.unsubscribe = this.opts.store.subscribe((events) => {
      for (const e of events) this.debouncer.add(e);
    });
    const at = this.now();
    const push = this.opts.builder.buildPushContext(this.opts.store, this.mesh, this.nextVersion());
    await this.apply(push, { kind: 'full' }, at, 0, undefined, true);
    return push;
  }

  current(): PushContext | undefined {
    return this.currentPush;
  }

  lastPush(): PushStatus | undefined {
    return this.last;
  }

  /** Resolves when no push is being built or delivered (events still debouncing are not awaited). */
  async idle(): Promise<void> {
    await this.debouncer.idle();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.debouncer.stop();
    await this.idle();
  }

  /** Istio's form: RFC 3339 time of the build, then a counter that keeps it unique. */
  private nextVersion(): string {
    this.counter += 1;
    return `${new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z')}/${this.counter}`;
  }

  private async onBatch(batch: Batch<ConfigEvent>): Promise<void> {
    this.opts.metrics.debounceTime.observe((batch.releasedAt - batch.firstAt) / 1000);
    const log = this.opts.logger;
    const prev = this.currentPush;
    const edsOnly = prev !== undefined && !this.fullPending && batch.items.every((e) => ENDPOINT_KINDS.has(e.kind));
    try {
      if (edsOnly) {
        const { push, changedHosts } = this.opts.builder.updateEndpoints(prev, this.opts.store, this.nextVersion());
        const hosts = [...changedHosts];
        if (hosts.length === 0) {
          log.debug({ events: batch.items.length }, 'endpoint events changed no endpoints; no push');
          return;
        }
        const clusters = this.opts.server.edsClustersForHosts(hosts);
        await this.apply(push, { kind: 'eds', clusters, hosts: new Set(hosts) }, batch.firstAt, batch.items.length, hosts);
      } else {
        // After a failed push the changes it carried are gone from the batch: recompute
        // everything (`changed` undefined), not just what this batch touched.
        const changed = this.fullPending ? undefined : changedKeys(batch.items);
        const push = this.opts.builder.buildPushContext(this.opts.store, this.mesh, this.nextVersion());
        await this.apply(push, { kind: 'full', ...(changed ? { changed } : {}) }, batch.firstAt, batch.items.length);
        this.fullPending = false;
      }
    } catch (err) {
      // Keep serving the last good PushContext; the next batch retries as a full push,
      // whatever its kinds, so that this batch's changes are not lost.
      this.fullPending = true;
      log.error({ err, events: batch.items.length, edsOnly }, 'push failed; keeping the previous config');
    }
  }

  /**
   * Hands the push to the server and returns once it is queued: the server's push queue
   * delivers it while the next batch debounces, and merges what arrives for a connection
   * it has not reached yet (Istio's push queue). `wait` (the initial push) awaits delivery.
   */
  private async apply(push: PushContext, scope: PushScope, triggeredAt: number, events: number, hosts?: string[], wait = false): Promise<void> {
    const start = this.now();
    this.currentPush = push;
    this.opts.metrics.services.set(push.services.length);
    const delivered = Promise.resolve(this.opts.server.push(push, scope, triggeredAt)).then(() => {
      const durationMs = this.now() - start;
      this.last = {
        version: push.version,
        kind: scope.kind,
        events,
        ...(hosts ? { changedHosts: hosts, clusters: scope.kind === 'eds' ? scope.clusters.size : 0 } : {}),
        triggeredAt: new Date(triggeredAt).toISOString(),
        durationMs,
      };
      this.opts.logger.info(
        { version: push.version, kind: scope.kind, events, services: push.services.length, hosts, durationMs },
        scope.kind === 'full' ? 'full push' : 'EDS push',
      );
    });
    this.inflight.add(delivered);
    void delivered
      .catch((err: unknown) => this.opts.logger.error({ err, version: push.version }, 'push delivery failed'))
      .finally(() => this.inflight.delete(delivered));
    if (wait) await delivered;
  }
}
