// Debouncer: quiet period, max wait, merging, one flush at a time (fake timers).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Debouncer, debounceFromEnv, parseDurationMs } from '../../src/push/debounce.js';
import type { Batch } from '../../src/push/debounce.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder(): { batches: Batch<number>[]; flush: (b: Batch<number>) => Promise<void> } {
  const batches: Batch<number>[] = [];
  return { batches, flush: async (b) => void batches.push(b) };
}

describe('Debouncer', () => {
  it('releases one merged batch after the quiet period', async () => {
    const r = recorder();
    const d = new Debouncer({ afterMs: 100, maxMs: 10_000 }, r.flush);
    d.add(1);
    await vi.advanceTimersByTimeAsync(60);
    d.add(2);
    await vi.advanceTimersByTimeAsync(60); // 120 ms: only 60 ms quiet
    expect(r.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(40); // 160 ms: 100 ms quiet
    expect(r.batches).toEqual([{ items: [1, 2], firstAt: 0, releasedAt: 160 }]);
  });

  it('releases at the max wait even while events keep coming', async () => {
    const r = recorder();
    const d = new Debouncer({ afterMs: 100, maxMs: 1_000 }, r.flush);
    for (let t = 0; t < 1_500; t += 50) {
      d.add(t);
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(r.batches.length).toBeGreaterThanOrEqual(1);
    expect(r.batches[0]!.releasedAt).toBe(1_000);
    expect(r.batches[0]!.items).toHaveLength(20); // 0..950
  });

  it('runs one flush at a time; a batch released meanwhile waits and merges', async () => {
    const batches: number[][] = [];
    let finish: () => void = () => {};
    const d = new Debouncer<number>({ afterMs: 100, maxMs: 10_000 }, (b) => {
      batches.push(b.items);
      return new Promise<void>((res) => (finish = res));
    });
    d.add(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(batches).toEqual([[1]]);
    d.add(2);
    await vi.advanceTimersByTimeAsync(150); // released while the first flush still runs
    d.add(3);
    await vi.advanceTimersByTimeAsync(150);
    expect(batches).toEqual([[1]]);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1], [2, 3]]);
    finish();
    await d.idle();
  });

  it('does nothing after stop()', async () => {
    const r = recorder();
    const d = new Debouncer({ afterMs: 100, maxMs: 10_000 }, r.flush);
    d.add(1);
    d.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    d.add(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.batches).toEqual([]);
  });
});

describe('debounce settings', () => {
  it('parses Istio durations', () => {
    expect(parseDurationMs('100ms')).toBe(100);
    expect(parseDurationMs('10s')).toBe(10_000);
    expect(parseDurationMs('1.5s')).toBe(1_500);
    expect(parseDurationMs('250')).toBe(250);
    expect(() => parseDurationMs('soon')).toThrow(/invalid duration "soon"/);
  });

  it('reads PILOT_DEBOUNCE_AFTER and PILOT_DEBOUNCE_MAX, defaulting to 100 ms and 10 s', () => {
    expect(debounceFromEnv({})).toEqual({ afterMs: 100, maxMs: 10_000 });
    expect(debounceFromEnv({ PILOT_DEBOUNCE_AFTER: '50ms', PILOT_DEBOUNCE_MAX: '2s' })).toEqual({ afterMs: 50, maxMs: 2_000 });
  });
});
