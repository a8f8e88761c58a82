// Istio's push queue: at most one pending push per connection, merged when another arrives
// for a connection that is waiting or being pushed, and at most `concurrency` pushes in
// flight. A push is "in flight" until its writes are flushed ('drain'), so a slow reader
// holds one slot instead of piling up buffers (PILOT_PUSH_THROTTLE).
import type { ConfigKey } from '../model/config.js';

/** What one connection still has to receive. */
export interface ConnPush {
  /** Recompute the types `changed` can affect (every type when `changed` is undefined). */
  full: boolean;
  /** Config objects behind a full push; undefined = unknown, i.e. everything. */
  changed: ConfigKey[] | undefined;
  /** EDS-only: clusters whose endpoints moved (also honoured on a full push that skips EDS). */
  clusters: Set<string>;
  /**
   * Endpoints moved: recompute CDS and LDS too, which read endpoints (DNS clusters inline
   * them, a sidecar's inbound listener follows its own pod). Only changes are sent.
   */
  refresh?: boolean;
  /** Earliest trigger of the merged pushes: convergence is timed from the first change. */
  triggeredAt: number | undefined;
}

/** Merges b into a (returns a): full wins, cluster sets and changed keys union. */
export function mergePush(a: ConnPush, b: ConnPush): ConnPush {
  if (b.full) {
    if (!a.full) a.changed = b.changed;
    else if (a.changed === undefined || b.changed === undefined) a.changed = undefined;
    else a.changed = [...a.changed, ...b.changed];
    a.full = true;
  }
  for (const c of b.clusters) a.clusters.add(c);
  if (b.refresh) a.refresh = true;
  if (b.triggeredAt !== undefined && (a.triggeredAt === undefined || b.triggeredAt < a.triggeredAt)) a.triggeredAt = b.triggeredAt;
  return a;
}

interface Entry {
  req: ConnPush;
  waiters: (() => void)[];
}

// Yield to the event loop every so many pushes, so that requests and ACKs of other streams
// are not starved while thousands of proxies are pushed to.
const YIELD_EVERY = 32;

export interface PushQueueStats {
  pending: number;
  inFlight: number;
  /** Pushes merged into one already queued or running (since start). */
  merged: number;
  /** Pushes run (since start). */
  run: number;
}

export class PushQueue<K> {
  /** Waiting, oldest first (Map keeps insertion order). */
  private readonly pending = new Map<K, Entry>();
  /** Running; the value is what arrived for the key meanwhile (runs once this one ends). */
  private readonly running = new Map<K, Entry | undefined>();
  private sinceYield = 0;
  private merged = 0;
  private runs = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly run: (key: K, req: ConnPush) => Promise<void> | void,
  ) {
    if (!(concurrency >= 1)) throw new Error(`push concurrency must be at least 1, got ${concurrency}`);
  }

  /** Queues (or merges) a push for `key`; resolves once it (or what it merged into) ran. */
  enqueue(key: K, req: ConnPush): Promise<void> {
    return new Promise((resolve) => {
      let e = this.running.has(key) ? this.running.get(key) : this.pending.get(key);
      if (e) {
        this.merged += 1;
        mergePush(e.req, req);
        e.waiters.push(resolve);
        return;
      }
      e = { req, waiters: [resolve] };
      if (this.running.has(key)) this.running.set(key, e);
      else this.pending.set(key, e);
      this.pump();
    });
  }

  /** Forgets a key (its stream closed): pending work is dropped, its waiters released. */
  remove(key: K): void {
    const p = this.pending.get(key);
    this.pending.delete(key);
    p?.waiters.forEach((w) => w());
    const follow = this.running.get(key);
    if (follow) {
      this.running.set(key, undefined);
      follow.waiters.forEach((w) => w());
    }
  }

  stats(): PushQueueStats {
    return { pending: this.pending.size, inFlight: this.running.size, merged: this.merged, run: this.runs };
  }

  /** Resolves when nothing is pending or running. */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.pending.size > 0) {
      const [key, entry] = this.pending.entries().next().value as [K, Entry];
      this.pending.delete(key);
      this.running.set(key, undefined);
      void this.start(key, entry);
    }
    if (this.pending.size === 0 && this.running.size === 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      ws.forEach((w) => w());
    }
  }

  private async start(key: K, entry: Entry): Promise<void> {
    if (++this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
    try {
      this.runs += 1;
      await this.run(key, entry.req);
    } catch {
      // XdsServer.runPush logs and counts its errors; this only keeps a throw that escapes a
      // run function from stalling the queue.
    } finally {
      entry.waiters.forEach((w) => w());
      const follow = this.running.get(key);
      this.running.delete(key);
      // Back of the line: a connection that keeps getting pushes must not starve others.
      if (follow) this.pending.set(key, follow);
      this.pump();
    }
  }
}
