// `npm run bench [-- --quick | --tiny]`: the push engine's benchmark. The server (push
// controller, xDS server, real translator) runs in this process; simulated Envoys run in
// forked processes (bench/client-worker.ts). See docs/performance.md for the workloads.
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { TypeUrl } from '../src/translate/api.js';
import { generators } from '../src/translate/generators.js';
import { parseProxy } from '../src/translate/proxy.js';
import { encodeValidResource } from '../src/envoy/validate.js';
import { startBench, startClients, startFloorClients } from './harness.js';
import type { Bench } from './harness.js';
import { floorSummary, startFloor } from './floor.js';
import { percentile, waitFor } from './tracker.js';
import { World, namespaceOf } from './world.js';

type Mode = 'tiny' | 'quick' | 'full';
let mode: Mode = 'full';
let SIZES: number[] = [];
let SERVICES = 0;
let NAMESPACES = 0;
let MAX = 0;
let targets: { name: string; value: string; pass: boolean }[] = [];
let out: (s: string) => void = (s) => console.log(s);

const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
const ms = (x: number): string => `${x.toFixed(0)} ms`;
function line(label: string, fields: Record<string, string | number>): void {
  out(`${label.padEnd(34)} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('  ')}`);
}
function cpuSeconds(since: NodeJS.CpuUsage): string {
  const d = process.cpuUsage(since);
  return ((d.user + d.system) / 1e6).toFixed(2);
}

/** Runs one change and waits until every affected connection ACKed it. */
async function change(b: Bench, act: () => void, timeoutMs = 30_000): Promise<ReturnType<Bench['tracker']['result']>> {
  b.tracker.begin();
  act();
  // Debounce, then delivery: wait for the first send, then for quiet.
  await waitFor(() => b.tracker.result().sends > 0, 2_000);
  await waitFor(() => b.tracker.quiet() && b.server.pushQueueStats().inFlight === 0, timeoutMs);
  return b.tracker.result();
}

function summary(lat: number[]): string {
  return `p50=${ms(percentile(lat, 50))} p99=${ms(percentile(lat, 99))} max=${ms(Math.max(...lat))}`;
}

/** Full CDS build for one proxy over SERVICES services, generation plus encoding, cold. */
function cdsBuildMs(): number {
  const world = new World({ services: SERVICES, podsPerService: 2, namespaces: NAMESPACES, scoped: false });
  const proxy = parseProxy({ id: `sidecar~10.1.0.1~a.${namespaceOf(0)}~${namespaceOf(0)}.svc.cluster.local` });
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const push = world.push(`cds-${i}`);
    const t = performance.now();
    for (const r of generators[TypeUrl.Cluster].generate(push, proxy, undefined)) encodeValidResource(TypeUrl.Cluster, r.body);
    runs.push(performance.now() - t);
  }
  return percentile(runs, 50);
}

interface W1 {
  p99: number;
  bytesPerChange: number;
  rss: number;
}

async function w1(n: number, protocol: 'sotw' | 'delta', scoped: boolean): Promise<W1> {
  const world = new World({ services: SERVICES, podsPerService: 2, namespaces: NAMESPACES, scoped });
  const b = await startBench(world);
  const rss0 = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const clients = await startClients(b.port, protocol, n, NAMESPACES, `w1${protocol}${scoped ? 's' : 'a'}`);
  const ok = await waitFor(() => b.tracker.settledConnections() === n, 120_000);
  const connectMs = performance.now() - t0;
  const rss = process.memoryUsage().rss;
  const lat: number[] = [];
  let bytes = 0;
  let sends = 0;
  const CHANGES = 3;
  for (let i = 0; i < CHANGES; i++) {
    const host = world.replacePod(i * 7);
    const r = await change(b, () => b.emit('Pod', host.split('.')[1]!, `pod-${i}`));
    lat.push(...r.latencies);
    bytes += r.bytes;
    sends += r.sends;
  }
  const fullStart = b.controller.lastPush()?.version;
  await change(b, () => b.emit('Service', namespaceOf(0), 'svc-0'));
  await waitFor(() => b.controller.lastPush()?.version !== fullStart, 10_000);
  const fullMs = b.controller.lastPush()?.durationMs ?? NaN;
  line(`W1 ${scoped ? 'scoped' : 'all-seeing'} ${protocol} ${n} clients`, {
    connected: ok ? ms(connectMs) : 'TIMEOUT',
    endpointChange: summary(lat),
    bytesPerChange: Math.round(bytes / CHANGES),
    pushesPerChange: Math.round(sends / CHANGES),
    fullPush: ms(fullMs),
    rss: mb(rss),
    rssPerClient: `${((rss - rss0) / n / 1024).toFixed(0)} KiB`,
    cpu: `${cpuSeconds(cpu)} s`,
  });
  await clients.stop();
  await b.close();
  return { p99: percentile(lat, 99), bytesPerChange: bytes / CHANGES, rss };
}

async function floor(n: number, bytes: number): Promise<number> {
  const f = await startFloor();
  const stop = await startFloorClients(f.port, n);
  await waitFor(() => f.streams() === n, 30_000);
  const all: number[] = [];
  for (let i = 0; i < 3; i++) all.push(...(await f.fan(Math.max(1, Math.round(bytes / n)))));
  const s = floorSummary(all);
  line(`floor (bare grpc-js) ${n} clients`, { bytesPerClient: Math.round(bytes / n), p50: ms(s.p50), p99: ms(s.p99), max: ms(s.max) });
  stop();
  await f.close();
  return s.p99;
}

async function w2(n: number): Promise<void> {
  const world = new World({ services: SERVICES, podsPerService: 10, namespaces: NAMESPACES, scoped: false });
  const b = await startBench(world);
  const clients = await startClients(b.port, 'delta', n, NAMESPACES, 'w2');
  await waitFor(() => b.tracker.settledConnections() === n, 120_000);
  for (const [period, count] of [[110, mode === 'tiny' ? 5 : 30], [2000, mode === 'full' ? 4 : 2]] as const) {
    const cpu = process.cpuUsage();
    const ev0 = b.eventsIn();
    b.tracker.begin();
    const lat: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = performance.now();
      const host = world.replacePod(i * 13);
      b.emit('Pod', host.split('.')[1]!, `pod-${i}`);
      if (period >= 1000) {
        const r = await change(b, () => undefined, period);
        lat.push(...r.latencies);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, period - (performance.now() - at))));
    }
    await waitFor(() => b.tracker.quiet(), 30_000);
    const r = b.tracker.result();
    line(`W2 pod replaced every ${period} ms`, {
      eventsIn: b.eventsIn() - ev0,
      pushesOut: r.sends,
      maxPushesPerProxy: b.tracker.maxSendsPerConnection(),
      ...(lat.length ? { convergence: summary(lat) } : {}),
      cpu: `${cpuSeconds(cpu)} s`,
    });
  }
  // A burst: 1000 endpoint events within a second.
  const burst = mode === 'tiny' ? 50 : 1000;
  b.tracker.begin();
  const t = performance.now();
  for (let i = 0; i < burst; i += 10) {
    for (let j = 0; j < 10; j++) b.emit('Pod', world.replacePod(i + j).split('.')[1]!, `burst-${i + j}`);
    await new Promise((r) => setTimeout(r, Math.max(0, (i / burst) * 1000 - (performance.now() - t))));
  }
  await waitFor(() => b.tracker.result().sends > 0, mode === 'tiny' ? 3_000 : 12_000);
  await waitFor(() => b.tracker.quiet(), 30_000);
  const per = b.tracker.maxSendsPerConnection();
  line(`W2 burst of ${burst} endpoint events in 1 s`, { maxPushesPerProxy: per, pushesOut: b.tracker.result().sends });
  targets.push({ name: `burst of ${burst} endpoint events in 1 s → ≤ 15 pushes per proxy`, value: `${per}`, pass: per <= 15 });
  await clients.stop();
  await b.close();
}

async function w3(n: number): Promise<void> {
  const world = new World({ services: SERVICES, podsPerService: 2, namespaces: NAMESPACES, scoped: false });
  const b = await startBench(world);
  const clients = await startClients(b.port, 'delta', n, NAMESPACES, 'w3');
  await waitFor(() => b.tracker.settledConnections() === n, 120_000);
  const lat: number[] = [];
  let bytes = 0;
  const count = mode === 'full' ? 5 : 3;
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const at = performance.now();
    const vs = world.setVirtualService(3, i + 1);
    const r = await change(b, () => b.emit('VirtualService', vs.metadata.namespace, vs.metadata.name));
    lat.push(...r.latencies);
    bytes += r.bytes;
    await new Promise((res) => setTimeout(res, Math.max(0, 1000 - (performance.now() - at))));
  }
  line(`W3 one VirtualService change/s`, { convergence: summary(lat), bytesPerChange: Math.round(bytes / count), cpu: `${cpuSeconds(cpu)} s` });
  await clients.stop();
  await b.close();
}

// SotW clients: a reconnecting SotW Envoy is sent its whole config again (a delta one that
// sends initial_resource_versions is sent only what changed, the cheaper case).
async function w4(n: number): Promise<void> {
  const world = new World({ services: SERVICES, podsPerService: 2, namespaces: NAMESPACES, scoped: false });
  const b = await startBench(world);
  const clients = await startClients(b.port, 'sotw', n, NAMESPACES, 'w4');
  await waitFor(() => b.tracker.settledConnections() === n, 120_000);
  const cpu = process.cpuUsage();
  const t = performance.now();
  clients.reconnect();
  await waitFor(() => b.tracker.connected < n || b.tracker.settledConnections() < n, 2_000);
  const ok = await waitFor(() => b.tracker.connected === n && b.tracker.settledConnections() === n && b.server.streamCount() === n, 60_000);
  const took = performance.now() - t;
  const refused = (await b.metrics.registry.getSingleMetric('pilot_xds_rate_limited_streams')?.get())?.values[0]?.value ?? 0;
  line(`W4 ${n} SotW clients reconnect at once`, { allHoldConfig: ok ? ms(took) : 'TIMEOUT', refusedThenRetried: refused, cpu: `${cpuSeconds(cpu)} s` });
  targets.push({ name: `W4: all ${n} reconnected clients hold full config within 10 s`, value: ok ? ms(took) : '> 60 s', pass: ok && took <= 10_000 });
  await clients.stop();
  await b.close();
}

/** Runs every workload; prints through `print`; returns the target table. */
export async function runBench(m: Mode, print: (s: string) => void = (s) => console.log(s)): Promise<typeof targets> {
  mode = m;
  out = print;
  SIZES = { tiny: [3], quick: [100], full: [100, 500, 1000] }[mode];
  SERVICES = mode === 'tiny' ? 20 : 1000;
  NAMESPACES = mode === 'tiny' ? 3 : 50;
  MAX = SIZES[SIZES.length - 1]!;
  targets = [];
  out(`mini-istiod bench (${mode}): ${cpus().length} cores (${availableParallelism()} usable), Node ${process.version}, ${SERVICES} services`);
  const cds = cdsBuildMs();
  line(`full CDS build, ${SERVICES} services`, { median: `${cds.toFixed(1)} ms` });
  if (SERVICES >= 1000) targets.push({ name: 'full CDS build for 1000 services ≤ 50 ms', value: `${cds.toFixed(1)} ms`, pass: cds <= 50 });
  let last: W1 | undefined;
  let first: W1 | undefined;
  for (const n of SIZES) {
    const r = await w1(n, 'delta', false);
    first ??= r;
    last = r;
  }
  const sotw = await w1(MAX, 'sotw', false);
  await w1(MAX, 'delta', true);
  line('bytes per endpoint change', { sotw: Math.round(sotw.bytesPerChange), delta: Math.round(last!.bytesPerChange) });
  const floorP99 = await floor(MAX, last!.bytesPerChange);
  // Our convergence includes the 100 ms debounce the floor does not have.
  const ratio = (last!.p99 - 100) / floorP99;
  line('convergence / floor (p99, minus debounce)', { ratio: ratio.toFixed(2) });
  targets.push({ name: `W1 ${MAX} delta clients endpoint change p99 ≤ 1 s incl. debounce`, value: ms(last!.p99), pass: last!.p99 <= 1000 });
  targets.push({ name: 'W1 endpoint change ≤ 2× transport floor (p99, push part)', value: `${ratio.toFixed(2)}×`, pass: ratio <= 2 });
  targets.push({ name: `RSS ≤ 500 MB with ${MAX} clients`, value: mb(last!.rss), pass: last!.rss <= 500 * 1048576 });
  if (SIZES.length > 1) {
    const perClient = (last!.rss - first!.rss) / (MAX - SIZES[0]!) / 1024;
    targets.push({ name: '≤ 250 KiB RSS per additional client', value: `${perClient.toFixed(0)} KiB`, pass: perClient <= 250 });
  }
  await w2(MAX);
  await w3(MAX);
  await w4(MAX);
  out('\ntargets');
  for (const t of targets) out(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name.padEnd(62)} ${t.value}`);
  return targets;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const m: Mode = process.argv.includes('--tiny') ? 'tiny' : process.argv.includes('--quick') ? 'quick' : 'full';
  runBench(m).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
