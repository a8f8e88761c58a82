// Debouncing, as istiod does it: a burst of config events becomes one push. A batch is
// released after `afterMs` without new events, or `maxMs` after its first event even if
// events keep coming. Only one flush runs at a time: a batch released while a flush runs
// waits for it and merges with whatever else arrived meanwhile.
// Timers are plain setTimeout and the clock Date.now, so tests drive both with vitest's
// fake timers (or pass `now`).

export interface DebounceOptions {
  /** PILOT_DEBOUNCE_AFTER: quiet period, default 100 ms. */
  afterMs: number;
  /** PILOT_DEBOUNCE_MAX: longest a batch waits, default 10 s. */
  maxMs: number;
  now?: () => number;
}

export const DEFAULT_DEBOUNCE: Readonly<DebounceOptions> = Object.freeze({ afterMs: 100, maxMs: 10_000 });

export interface Batch<T> {
  items: T[];
  /** When the batch's first item arrived (ms): the start of the convergence clock. */
  firstAt: number;
  /** When it was released to the flush function (ms). */
  releasedAt: number;
}

/** Parses Istio-style durations ("100ms", "10s", "1m", or bare milliseconds). */
export function parseDurationMs(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(s);
  if (!m) throw new Error(`invalid duration "${s}": expected e.g. 100ms, 10s or 1m`);
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

/** Debounce settings from PILOT_DEBOUNCE_AFTER / PILOT_DEBOUNCE_MAX, else the defaults. */
export function debounceFromEnv(env: Record<string, string | undefined> = process.env): DebounceOptions {
  const after = env['PILOT_DEBOUNCE_AFTER'];
  const max = env['PILOT_DEBOUNCE_MAX'];
  return {
    afterMs: after ? parseDurationMs(after) : DEFAULT_DEBOUNCE.afterMs,
    maxMs: max ? parseDurationMs(max) : DEFAULT_DEBOUNCE.maxMs,
  };
}

export class Debouncer<T> {
  private items: T[] = [];
  private firstAt = 0;
  private lastAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  /** A batch was released while a flush ran: flush again as soon as it ends. */
  private releasePending = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly opts: DebounceOptions,
    private readonly flush: (batch: Batch<T>) => Promise<void>,
  ) {
    this.now = opts.now ?? Date.now;
  }

  add(item: T): void {
    if (this.stopped) return;
    const now = this.now();
    if (this.items.length === 0) this.firstAt = now;
    this.lastAt = now;
    this.items.push(item);
    if (!this.timer && !this.releasePending) this.arm(this.opts.afterMs);
  }

  /** True while items wait or a flush runs. */
  busy(): boolean {
    return this.items.length > 0 || this.running !== undefined;
  }

  /** Resolves once no flush runs (items still waiting for their timer are not awaited). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, ms));
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.items.length === 0) return;
    const now = this.now();
    const quiet = now - this.lastAt;
    const waited = now - this.firstAt;
    if (quiet >= this.opts.afterMs || waited >= this.opts.maxMs) return this.release();
    // Not quiet yet: wake up when it would be, but never past the max wait.
    this.arm(Math.min(this.opts.afterMs - quiet, this.opts.maxMs - waited));
  }

  private release(): void {
    if (this.running) {
      this.releasePending = true;
      return;
    }
    const batch: Batch<T> = { items: this.items, firstAt: this.firstAt, releasedAt: this.now() };
    this.items = [];
    this.running = this.flush(batch)
      .catch(() => undefined) // the flush function reports its own errors
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.releasePending) {
          this.releasePending = false;
          if (this.items.length > 0) {
            if (this.timer) clearTimeout(this.timer);
            this.timer = undefined;
            this.release();
          }
        }
      });
  }
}
