// The benchmark's workloads (docs/performance.md). Each runs against a fresh server and
// reports what it measured; bench/run.ts runs each in its own server process (isolate.ts)
// so that one workload's heap does not inflate the next one's RSS.
import { TypeUrl } from '../src/translate/api.js';
import { generators } from '../src/translate/generators.js';
import { parseProxy } from '../src/translate/proxy.js';
import { encodeValidResource } from '../src/envoy/validate.js';
import { DEFAULT_INITIALIZING_STREAMS } from '../src/xds/admission.js';
import { startBench, startClients, startFloorClients } from './harness.js';
import type { Bench, Clients } from './harness.js';
import { floorSummary, startFloor } from './floor.js';
import { percentile, waitFor } from './tracker.js';
import { World, namespaceOf } from './world.js';

export type Mode = 'tiny' | 'quick' | 'full';

export type WorkloadSpec =
  | { kind: 'cds'; mode: Mode; services: number; namespaces: number }
  | { kind: 'w1'; mode: Mode; services: number; namespaces: number; clients: number; protocol: 'sotw' | 'delta'; scoped: boolean; maxStreamsPerSecond?: number }
  | { kind: 'floor'; mode: Mode; clients: number; bytes: number; rounds?: number }
  | LoadSpec;

/** W2–W4: one world, `clients` all-seeing clients. */
interface LoadSpec {
  kind: 'w2' | 'w3' | 'w4';
  mode: Mode;
  services: number;
  namespaces: number;
  clients: number;
  /** W4: how the clients speak, and the server's stream limits (undefined = its defaults). */
  protocol?: 'sotw' | 'delta';
  maxStreamsPerSecond?: number;
  maxInitializingStreams?: number;
}

export interface WorkloadResult {
  /** The printed figure lines. */
  lines: string[];
  /** Named numbers the target table reads. */
  figures: Record<string, number>;
}

const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
const ms = (x: number): string => `${x.toFixed(0)} ms`;

function line(label: string, fields: Record<string, string | number>): string {
  return `${label.padEnd(34)} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('  ')}`;
}

/** Server CPU (all threads: JS, GC helpers, and the kernel's share for its sockets). */
function cpuSeconds(since: NodeJS.CpuUsage): string {
  const d = process.cpuUsage(since);
  return `${((d.user + d.system) / 1e6).toFixed(2)} (sys ${(d.system / 1e6).toFixed(2)})`;
}

function summary(lat: number[]): string {
  return `p50=${ms(percentile(lat, 50))} p99=${ms(percentile(lat, 99))} max=${ms(Math.max(...lat))}`;
}

/** Memory once garbage is collected (the child runs with --expose-gc) and the heap settled. */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 2; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  return process.memoryUsage();
}

/** Samples RSS every 50 ms until stopped; returns the highest reading. */
function peakRss(): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

/** Runs one change and waits until every affected connection ACKed it. */
async function change(b: Bench, act: () => void, timeoutMs = 60_000): Promise<ReturnType<Bench['tracker']['result']>> {
  b.tracker.begin();
  act();
  // Debounce, then delivery: wait for the first send, then for quiet.
  await waitFor(() => b.tracker.result().sends > 0, 2_000);
  await waitFor(() => b.tracker.quiet() && b.server.pushQueueStats().inFlight === 0, timeoutMs);
  return b.tracker.result();
}

/**
 * Full CDS build for one sidecar over every service: generation, strict encoding and
 * validate.rules, no cache. The first build pays for JIT and lazy protobuf reflection
 * (once per process); a running server builds CDS on every full push, so the target is
 * the steady state: the median of 10 builds after that first one, each from a new push.
 */
function cds(spec: Extract<WorkloadSpec, { kind: 'cds' }>): WorkloadResult {
  const world = new World({ services: spec.services, podsPerService: 2, namespaces: spec.namespaces, scoped: false });
  const proxy = parseProxy({ id: `sidecar~10.1.0.1~a.${namespaceOf(0)}~${namespaceOf(0)}.svc.cluster.local` });
  const build = (i: number): number => {
    const push = world.push(`cds-${i}`);
    const t = performance.now();
    for (const r of generators[TypeUrl.Cluster].generate(push, proxy, undefined)) encodeValidResource(TypeUrl.Cluster, r.body);
    return performance.now() - t;
  };
  const first = build(0);
  const runs = Array.from({ length: 10 }, (_, i) => build(i + 1));
  const median = percentile(runs, 50);
  return {
    lines: [line(`full CDS build, ${spec.services} services`, { steadyMedian: `${median.toFixed(1)} ms`, firstInProcess: `${first.toFixed(1)} ms` })],
    figures: { median, first },
  };
}

/** Clients `from`..`from + n - 1`, waiting until all of them hold config. */
async function connect(b: Bench, spec: { protocol: 'sotw' | 'delta'; namespaces: number }, from: number, n: number, tag: string): Promise<{ clients: Clients; ok: boolean }> {
  const clients = await startClients(b.port, spec.protocol, n, spec.namespaces, tag, from);
  const ok = await waitFor(() => b.tracker.settledConnections() === from + n, 180_000);
  return { clients, ok };
}

async function w1(spec: Extract<WorkloadSpec, { kind: 'w1' }>): Promise<WorkloadResult> {
  const world = new World({ services: spec.services, podsPerService: 2, namespaces: spec.namespaces, scoped: spec.scoped });
  const b = await startBench(world, { maxStreamsPerSecond: spec.maxStreamsPerSecond });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  // Connected in two halves: the RSS growth from the first half to all clients is the
  // marginal cost of a client (the first half also pays for the shared resource cache).
  const half = Math.floor(spec.clients / 2);
  const tag = `w1${spec.protocol}${spec.scoped ? 's' : 'a'}`;
  const a = await connect(b, spec, 0, half, tag);
  const memHalf = await settledMemory();
  const c = await connect(b, spec, half, spec.clients - half, tag);
  const connectMs = performance.now() - t0;
  const mem = await settledMemory();
  const rss = mem.rss;
  const perClient = (f: (m: NodeJS.MemoryUsage) => number): number => (f(mem) - f(memHalf)) / (spec.clients - half) / 1024;
  const perClientKiB = perClient((m) => m.rss);
  // Live JS heap plus Buffers: what the clients' state really holds, without RSS's noise.
  const livePerClientKiB = perClient((m) => m.heapUsed + m.external);
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
  const label = `W1 ${spec.scoped ? 'scoped' : 'all-seeing'} ${spec.protocol} ${spec.clients} clients`;
  const out = line(label, {
    connected: a.ok && c.ok ? ms(connectMs) : 'TIMEOUT',
    endpointChange: summary(lat),
    bytesPerChange: Math.round(bytes / CHANGES),
    pushesPerChange: Math.round(sends / CHANGES),
    fullPush: ms(fullMs),
    rss: mb(rss),
    rssPerClient: `${perClientKiB.toFixed(0)} KiB`,
    heapPerClient: `${livePerClientKiB.toFixed(0)} KiB`,
    cpu: `${cpuSeconds(cpu)} s`,
  });
  await a.clients.stop();
  await c.clients.stop();
  await b.close();
  return { lines: [out], figures: { p99: percentile(lat, 99), bytesPerChange: bytes / CHANGES, rss, perClientKiB, heapPerClientKiB: livePerClientKiB } };
}

async function floor(spec: Extract<WorkloadSpec, { kind: 'floor' }>): Promise<WorkloadResult> {
  const f = await startFloor();
  const stop = await startFloorClients(f.port, spec.clients);
  await waitFor(() => f.streams() === spec.clients, 30_000);
  const all: number[] = [];
  const bytes = Math.max(1, Math.round(spec.bytes));
  for (let i = 0; i < (spec.rounds ?? 3); i++) all.push(...(await f.fan(bytes)));
  const s = floorSummary(all);
  stop();
  await f.close();
  return {
    lines: [line(`floor (bare grpc-js) ${spec.clients} clients`, { bytesPerClient: bytes, p50: ms(s.p50), p99: ms(s.p99), max: ms(s.max) })],
    figures: { p99: s.p99, max: s.max },
  };
}

async function w2(spec: LoadSpec): Promise<WorkloadResult> {
  const lines: string[] = [];
  const world = new World({ services: spec.services, podsPerService: 10, namespaces: spec.namespaces, scoped: false });
  const b = await startBench(world, { maxStreamsPerSecond: spec.maxStreamsPerSecond });
  const { clients } = await connect(b, { protocol: 'delta', namespaces: spec.namespaces }, 0, spec.clients, 'w2');
  const plan = { tiny: [[110, 5], [2000, 1]], quick: [[110, 10], [2000, 1]], full: [[110, 30], [2000, 4]] }[spec.mode];
  for (const [period, count] of plan as [number, number][]) {
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
    lines.push(line(`W2 pod replaced every ${period} ms`, {
      eventsIn: b.eventsIn() - ev0,
      pushesOut: r.sends,
      maxPushesPerProxy: b.tracker.maxSendsPerConnection(),
      ...(lat.length ? { convergence: summary(lat) } : {}),
      cpu: `${cpuSeconds(cpu)} s`,
    }));
  }
  // A burst: 1000 endpoint events within a second.
  const burst = spec.mode === 'tiny' ? 50 : 1000;
  b.tracker.begin();
  const t = performance.now();
  for (let i = 0; i < burst; i += 10) {
    for (let j = 0; j < 10; j++) b.emit('Pod', world.replacePod(i + j).split('.')[1]!, `burst-${i + j}`);
    await new Promise((r) => setTimeout(r, Math.max(0, (i / burst) * 1000 - (performance.now() - t))));
  }
  await waitFor(() => b.tracker.result().sends > 0, spec.mode === 'tiny' ? 3_000 : 12_000);
  await waitFor(() => b.tracker.quiet(), 30_000);
  const per = b.tracker.maxSendsPerConnection();
  lines.push(line(`W2 burst of ${burst} endpoint events in 1 s`, { maxPushesPerProxy: per, pushesOut: b.tracker.result().sends }));
  await clients.stop();
  await b.close();
  return { lines, figures: { burst, burstMaxPerProxy: per } };
}

async function w3(spec: LoadSpec): Promise<WorkloadResult> {
  const world = new World({ services: spec.services, podsPerService: 2, namespaces: spec.namespaces, scoped: false });
  const b = await startBench(world, { maxStreamsPerSecond: spec.maxStreamsPerSecond });
  const { clients } = await connect(b, { protocol: 'delta', namespaces: spec.namespaces }, 0, spec.clients, 'w3');
  const lat: number[] = [];
  let bytes = 0;
  const count = { tiny: 2, quick: 2, full: 5 }[spec.mode];
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const at = performance.now();
    const vs = world.setVirtualService(3, i + 1);
    const r = await change(b, () => b.emit('VirtualService', vs.metadata.namespace, vs.metadata.name));
    lat.push(...r.latencies);
    bytes += r.bytes;
    await new Promise((res) => setTimeout(res, Math.max(0, 1000 - (performance.now() - at))));
  }
  const full = b.controller.lastPush()?.durationMs ?? NaN;
  await clients.stop();
  await b.close();
  return {
    lines: [line(`W3 one VirtualService change/s`, { convergence: summary(lat), fullPush: ms(full), bytesPerChange: Math.round(bytes / count), cpu: `${cpuSeconds(cpu)} s` })],
    figures: { p99: percentile(lat, 99) },
  };
}

function limitsLabel(spec: LoadSpec): string {
  const parts: string[] = [];
  if (spec.maxStreamsPerSecond) parts.push(`${spec.maxStreamsPerSecond} streams/s`);
  if (spec.maxInitializingStreams !== undefined) parts.push(spec.maxInitializingStreams === 0 ? 'no admission limit' : `${spec.maxInitializingStreams} initialising`);
  return parts.length ? parts.join(', ') : `defaults (${DEFAULT_INITIALIZING_STREAMS} initialising)`;
}

// A reconnecting SotW Envoy is sent its whole config again; a delta one that sends
// initial_resource_versions is sent only what changed (here: nothing).
async function w4(spec: LoadSpec): Promise<WorkloadResult> {
  const n = spec.clients;
  const protocol = spec.protocol ?? 'sotw';
  const world = new World({ services: spec.services, podsPerService: 2, namespaces: spec.namespaces, scoped: false });
  const b = await startBench(world, { maxStreamsPerSecond: spec.maxStreamsPerSecond, maxInitializingStreams: spec.maxInitializingStreams });
  const { clients } = await connect(b, { protocol, namespaces: spec.namespaces }, 0, n, 'w4');
  await settledMemory();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const peak = peakRss();
  b.tracker.begin();
  clients.reconnect();
  const holding = (): number => (protocol === 'sotw' ? b.tracker.settledConnections() : b.tracker.readyConnections(4));
  await waitFor(() => b.tracker.connected < n || holding() < n, 2_000);
  const ok = await waitFor(() => b.tracker.connected === n && holding() === n && b.server.streamCount() === n, 60_000);
  const took = performance.now() - t;
  const peakDuring = peak();
  const sent = b.tracker.result();
  const rss = (await settledMemory()).rss;
  const refused = (await b.metrics.registry.getSingleMetric('pilot_xds_rate_limited_streams')?.get())?.values[0]?.value ?? 0;
  const clientCpu = await clients.stop();
  await b.close();
  return {
    lines: [line(`W4 ${n} ${protocol === 'sotw' ? 'SotW' : 'delta'} reconnect, ${limitsLabel(spec)}`, { allHoldConfig: ok ? ms(took) : 'TIMEOUT', refusedThenRetried: refused, sent: mb(sent.bytes), responses: sent.sends, peakRss: mb(peakDuring), rssAfter: mb(rss), cpu: `${cpuSeconds(cpu)} s`, clientCpu: `${clientCpu.toFixed(2)} s` })],
    figures: { ok: ok ? 1 : 0, took, peakRss: peakDuring, bytes: sent.bytes },
  };
}

export function runWorkload(spec: WorkloadSpec): Promise<WorkloadResult> {
  switch (spec.kind) {
    case 'cds':
      return Promise.resolve(cds(spec));
    case 'w1':
      return w1(spec);
    case 'floor':
      return floor(spec);
    case 'w2':
      return w2(spec);
    case 'w3':
      return w3(spec);
    case 'w4':
      return w4(spec);
  }
}
