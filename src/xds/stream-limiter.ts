// Rate limit for new xDS streams (Istio's PILOT_MAX_REQUESTS_PER_SECOND): a token bucket.
// Like istiod, a new stream waits up to a second for a token and is refused with
// RESOURCE_EXHAUSTED after that, so that a reconnect storm is spread out (clients retry
// with backoff) instead of every proxy's first push landing in the same second.

/** Istio's default for both PILOT_PUSH_THROTTLE and PILOT_MAX_REQUESTS_PER_SECOND (1.21+). */
export function defaultConcurrency(cores: number): number {
  return Math.min(15 + 5 * cores, 100);
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    /** Tokens per second; 0 or Infinity = unlimited. */
    private readonly rate: number,
    /** Bucket size: how many may arrive at once after a quiet period. */
    private readonly burst: number = Math.max(1, rate),
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = this.burst;
    this.last = now();
  }

  get unlimited(): boolean {
    return this.rate <= 0 || !Number.isFinite(this.rate);
  }

  /** Takes a token if there is one; else returns the ms until the next one. */
  take(): { ok: true } | { ok: false; waitMs: number } {
    if (this.unlimited) return { ok: true };
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil(((1 - this.tokens) * 1000) / this.rate) };
  }

  /**
   * Resolves true once a token is taken, false if none comes within `maxWaitMs`. A waiter
   * reserves the next token at once (the bucket goes negative), so a burst is admitted in
   * arrival order at the configured rate, and a refused waiter takes nothing.
   */
  async acquire(maxWaitMs: number): Promise<boolean> {
    const r = this.take();
    if (r.ok) return true;
    if (r.waitMs > maxWaitMs) return false;
    this.tokens -= 1;
    await new Promise((res) => setTimeout(res, r.waitMs));
    return true;
  }
}
