// Admission of new xDS streams by the work they still cause, not by a clock. A stream holds
// a slot from the moment it is let in until its proxy holds its first full config (every
// response ACKed or NACKed, LDS and CDS among them) or closes. At most `limit` streams hold
// a slot; later ones wait, first come first served, without being refused.
//
// Why not only Istio's fixed rate (--max-streams-per-second): in a reconnect storm the
// server's cost is the initial config it has written and the client has not yet taken
// (buffers, hundreds of KB per all-seeing proxy). A fixed rate bounds that only by guessing
// how fast clients are; this bounds it directly and admits as fast as clients keep up.
// With the 25/s Istio default on 2 cores, 1000 proxies need 40 s by construction.

/**
 * Default for --max-initializing-streams. An all-seeing proxy's first config at 1000
 * services is ~0.7 MB on the wire, so 100 in flight bound a reconnect storm to ~100 MB of
 * unread responses. Bench W4 (1000 proxies on 2 cores): 100 → peak RSS ~450 MB; no limit
 * → ~830 MB; 50 was markedly slower (clients idle while waiting), 200+ bought little speed.
 */
export const DEFAULT_INITIALIZING_STREAMS = 100;

/** A stream's admission; `release` is idempotent. */
export interface AdmissionSlot {
  release(): void;
  readonly held: boolean;
}

export interface AdmissionStats {
  /** Admitted streams whose proxy does not hold its first full config yet. */
  initializing: number;
  /** Streams waiting to be admitted. */
  waiting: number;
  /** Slots released by the hold timeout rather than by the proxy settling (since start). */
  timedOut: number;
}

/** A place in line: `slot` resolves when admitted, or undefined once cancelled. */
export interface AdmissionTicket {
  readonly slot: Promise<AdmissionSlot | undefined>;
  cancel(): void;
}

interface Waiter {
  grant(slot: AdmissionSlot | undefined): void;
}

export class StreamAdmission {
  private active = 0;
  private timedOut = 0;
  /** Waiting, oldest first (a Set keeps insertion order and deletes in O(1)). */
  private readonly waiting = new Set<Waiter>();

  constructor(
    /** Streams initialising at once; 0 = unlimited. */
    private readonly limit: number,
    /**
     * Longest a stream holds its slot. A client that never asks for both LDS and CDS (or
     * stops reading) must not keep others out; after this it counts as settled.
     */
    private readonly maxHoldMs: number,
    private readonly onTimeout: () => void = () => {},
  ) {}

  enter(): AdmissionTicket {
    if (this.waiting.size === 0 && this.hasRoom()) {
      const slot = this.grantSlot();
      return { slot: Promise.resolve(slot), cancel: () => {} };
    }
    let waiter!: Waiter;
    const slot = new Promise<AdmissionSlot | undefined>((resolve) => {
      waiter = { grant: resolve };
    });
    this.waiting.add(waiter);
    return {
      slot,
      cancel: () => {
        if (this.waiting.delete(waiter)) waiter.grant(undefined);
      },
    };
  }

  /** Turns every waiter away (server shutdown). */
  clear(): void {
    const ws = [...this.waiting];
    this.waiting.clear();
    ws.forEach((w) => w.grant(undefined));
  }

  stats(): AdmissionStats {
    return { initializing: this.active, waiting: this.waiting.size, timedOut: this.timedOut };
  }

  private hasRoom(): boolean {
    return this.limit <= 0 || this.active < this.limit;
  }

  private grantSlot(): AdmissionSlot {
    this.active += 1;
    let held = true;
    const free = (): void => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      this.active -= 1;
      this.admitWaiting();
    };
    const timer = setTimeout(() => {
      if (!held) return;
      this.timedOut += 1;
      this.onTimeout();
      free();
    }, this.maxHoldMs);
    timer.unref();
    return {
      release: free,
      get held() {
        return held;
      },
    };
  }

  private admitWaiting(): void {
    for (const w of this.waiting) {
      if (!this.hasRoom()) return;
      this.waiting.delete(w);
      w.grant(this.grantSlot());
    }
  }
}
