// Keeps the benchmark from rotting: runs every workload at tiny sizes, clients in this
// process (no compiled worker to fork), and checks that each figure is printed.
import { describe, expect, it } from 'vitest';
import { runClientsInProcess } from '../../bench/harness.js';
import { runBench } from '../../bench/run.js';

describe('npm run bench (tiny)', () => {
  it('runs every workload and prints its figures and the target table', async () => {
    runClientsInProcess(true);
    const lines: string[] = [];
    const targets = await runBench('tiny', (s) => lines.push(s));
    const text = lines.join('\n');
    for (const label of ['full CDS build', 'W1 all-seeing delta', 'W1 all-seeing sotw', 'W1 scoped delta', 'floor (bare grpc-js)', 'W2 pod replaced every 110 ms', 'W2 burst', 'W3 one VirtualService', 'W4 ']) {
      expect(text).toContain(label);
    }
    expect(text).toMatch(/endpointChange=p50=\d+ ms p99=\d+ ms/);
    expect(text).toMatch(/rss=\d+\.\d MB/);
    expect(text).not.toContain('TIMEOUT');
    expect(targets.length).toBeGreaterThanOrEqual(4);
    expect(text).toMatch(/^(PASS|FAIL) {2}/m);
  }, 60_000);
});
