// `npm run bench [-- --quick | --tiny]`: the push engine's benchmark. Each workload runs
// in a fresh server process (isolate.ts: push controller, xDS server, real translator);
// simulated Envoys run in processes that one forks (client-worker.ts). `--tiny` runs
// everything in this process (the rot test). See docs/performance.md.
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { runIsolated } from './isolate.js';
import { runWorkload } from './workloads.js';
import type { Mode, WorkloadResult, WorkloadSpec } from './workloads.js';

export interface Target {
  name: string;
  value: string;
  pass: boolean;
}

const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** Runs every workload; prints through `print`; returns the target table. */
export async function runBench(mode: Mode, print: (s: string) => void = (s) => console.log(s)): Promise<Target[]> {
  const sizes = { tiny: [3], quick: [100], full: [100, 500, 1000] }[mode];
  const services = mode === 'tiny' ? 20 : 1000;
  // Quick mode spreads its 100 clients over 10 namespaces, not 50: a full push builds one
  // route configuration per namespace, and 50 of them are most of a minute's budget.
  const namespaces = { tiny: 3, quick: 10, full: 50 }[mode];
  const max = sizes[sizes.length - 1]!;
  // Every workload runs with the server's defaults (no new-stream rate limit, 100 streams
  // initialising at once: see src/xds/admission.ts).
  const base = { mode, services, namespaces };
  const targets: Target[] = [];
  const timings: string[] = [];
  const run = async (spec: WorkloadSpec): Promise<WorkloadResult['figures']> => {
    const t = performance.now();
    const r = mode === 'tiny' ? await runWorkload(spec) : await runIsolated(spec);
    r.lines.forEach((l) => print(l));
    timings.push(`${spec.kind}${'clients' in spec ? `@${spec.clients}` : ''} ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return r.figures;
  };
  print(`mini-istiod bench (${mode}): ${cpus().length} cores (${availableParallelism()} usable), Node ${process.version}, ${services} services, ${namespaces} namespaces`);

  const cds = await run({ kind: 'cds', ...base });
  if (services >= 1000) targets.push({ name: 'full CDS build for 1000 services ≤ 50 ms (steady state)', value: `${cds['median']!.toFixed(1)} ms`, pass: cds['median']! <= 50 });

  let last: WorkloadResult['figures'] = {};
  for (const clients of sizes) last = await run({ kind: 'w1', ...base, clients, protocol: 'delta', scoped: false });
  const sotw = await run({ kind: 'w1', ...base, clients: max, protocol: 'sotw', scoped: false });
  await run({ kind: 'w1', ...base, clients: max, protocol: 'delta', scoped: true });
  print(`${'bytes per endpoint change'.padEnd(34)} sotw=${Math.round(sotw['bytesPerChange']!)}  delta=${Math.round(last['bytesPerChange']!)}`);
  const floor = await run({ kind: 'floor', mode, clients: max, bytes: last['bytesPerChange']! / max });
  // Our convergence includes the 100 ms debounce the floor does not have.
  const ratio = (last['p99']! - 100) / floor['p99']!;
  print(`${'convergence / floor (p99, minus debounce)'.padEnd(34)} ratio=${ratio.toFixed(2)}`);
  targets.push({ name: `W1 ${max} delta clients endpoint change p99 ≤ 1 s incl. debounce`, value: ms(last['p99']!), pass: last['p99']! <= 1000 });
  targets.push({ name: 'W1 endpoint change ≤ 2× transport floor (p99, push part)', value: `${ratio.toFixed(2)}×`, pass: ratio <= 2 });
  targets.push({ name: `RSS ≤ 500 MB with ${max} clients`, value: `${(last['rss']! / 1048576).toFixed(1)} MB`, pass: last['rss']! <= 500 * 1048576 });
  // RSS moves in allocator-sized steps: over the 50 clients of quick mode its slope is
  // noise (it can even be negative), so the heap's slope must pass too.
  targets.push({
    name: `≤ 250 KiB RSS per additional client (at ${max})`,
    value: `${last['perClientKiB']!.toFixed(0)} KiB (heap ${last['heapPerClientKiB']!.toFixed(0)} KiB)`,
    pass: last['perClientKiB']! <= 250 && last['heapPerClientKiB']! <= 250,
  });

  const w2 = await run({ kind: 'w2', ...base, clients: max });
  targets.push({ name: `burst of ${w2['burst']} endpoint events in 1 s → ≤ 15 pushes per proxy`, value: `${w2['burstMaxPerProxy']}`, pass: w2['burstMaxPerProxy']! <= 15 });
  await run({ kind: 'w3', ...base, clients: max });
  // W4 with the server's defaults. The full run adds, for comparison, the same storm with no
  // admission limit (faster here, at twice the peak memory) and with Istio's fixed rate on
  // 2 cores (25 streams/s: 1000 clients need 40 s by construction).
  const w4 = await run({ kind: 'w4', ...base, clients: max, protocol: 'sotw' });
  const w4d = await run({ kind: 'w4', ...base, clients: max, protocol: 'delta' });
  if (mode === 'full') {
    await run({ kind: 'w4', ...base, clients: max, protocol: 'sotw', maxInitializingStreams: 0 });
    await run({ kind: 'w4', ...base, clients: max, protocol: 'sotw', maxInitializingStreams: 0, maxStreamsPerSecond: 25 });
  }
  // W4's floor (full run; quick mode keeps its minute): each client's whole initial config,
  // as one message of the same size, written to every open stream at once by a bare
  // grpc-js server (no connection set-up, no parsing).
  if (mode !== 'quick') {
    const w4floor = await run({ kind: 'floor', mode, clients: max, bytes: w4['bytes']! / max, rounds: 1 });
    print(`${'W4 SotW / floor (max)'.padEnd(34)} ratio=${(w4['took']! / w4floor['max']!).toFixed(2)}`);
  }
  const took = (f: WorkloadResult['figures']): string => (f['ok'] ? `${ms(f['took']!)}, peak RSS ${(f['peakRss']! / 1048576).toFixed(0)} MB` : '> 60 s');
  targets.push({ name: `W4: ${max} SotW clients reconnect, hold full config ≤ 10 s`, value: took(w4), pass: w4['ok'] === 1 && w4['took']! <= 10_000 });
  targets.push({ name: `W4: ${max} delta clients reconnect, hold full config ≤ 10 s`, value: took(w4d), pass: w4d['ok'] === 1 && w4d['took']! <= 10_000 });

  print(`\nwall time per workload: ${timings.join(', ')}`);
  print('\ntargets');
  for (const t of targets) print(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name.padEnd(62)} ${t.value}`);
  return targets;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const m: Mode = process.argv.includes('--tiny') ? 'tiny' : process.argv.includes('--quick') ? 'quick' : 'full';
  const t0 = performance.now();
  runBench(m).then(
    () => {
      console.log(`\n(bench took ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
