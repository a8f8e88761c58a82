// Runs one workload in a fresh server process: `npm run bench` forks this file (compiled)
// per workload, with --expose-gc so RSS is read after a collection. The simulated clients
// are forked by that process in turn (harness.ts), so the server process holds only the
// server: its RSS is the server's.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runWorkload } from './workloads.js';
import { tuneGcForFanOut } from '../src/xds/gc-tuning.js';
import type { WorkloadResult, WorkloadSpec } from './workloads.js';

type ToChild = { spec: WorkloadSpec };
type FromChild = { result: WorkloadResult } | { error: string };

const SELF = fileURLToPath(import.meta.url);

/** Runs `spec` in a child process; resolves with what it measured. */
export function runIsolated(spec: WorkloadSpec): Promise<WorkloadResult> {
  // MINI_ISTIOD_BENCH_PROFILE=DIR writes a V8 CPU profile of each server process there.
  const prof = process.env['MINI_ISTIOD_BENCH_PROFILE'];
  const child = fork(SELF, [], {
    execArgv: ['--expose-gc', '--max-old-space-size=4096', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
    env: { ...process.env, MINI_ISTIOD_BENCH_SERVER: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    child.once('message', (m: FromChild) => {
      settled = true;
      if ('result' in m) resolve(m.result);
      else reject(new Error(`${spec.kind} failed: ${m.error}`));
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`${spec.kind}: server process exited with ${code}`));
    });
    child.send({ spec } satisfies ToChild);
  });
}

if (process.env['MINI_ISTIOD_BENCH_SERVER'] === '1' && process.send) {
  // As `mini-istiod serve` does.
  tuneGcForFanOut();
  process.once('message', (m: ToChild) => {
    runWorkload(m.spec).then(
      (result) => process.send?.({ result } satisfies FromChild, undefined, {}, () => process.exit(0)),
      (err: unknown) => process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromChild, undefined, {}, () => process.exit(1)),
    );
  });
}
