// Starts what one benchmark run needs: the xDS server and push controller (fed by a fake
// store and a builder over bench/world.ts), and simulated clients in forked processes.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Metrics } from '../src/metrics.js';
import type { ConfigEvent, Kind } from '../src/model/config.js';
import type { ConfigStore } from '../src/model/store.js';
import { PushController } from '../src/push/push-controller.js';
import { generators } from '../src/translate/generators.js';
import { XdsServer } from '../src/xds/xds-server.js';
import { openClients, openFloorClients } from './client-worker.js';
import type { FromWorker, ToWorker, WorkerClient } from './client-worker.js';
import { Tracker } from './tracker.js';
import { namespaceOf } from './world.js';
import type { World } from './world.js';

export interface Bench {
  server: XdsServer;
  controller: PushController;
  tracker: Tracker;
  metrics: Metrics;
  port: number;
  /** Fires config events as the store would (the watcher events in). */
  emit(kind: Kind, namespace: string, name: string): void;
  eventsIn(): number;
  close(): Promise<void>;
}

/** The server's stream limits; undefined = its defaults. */
export interface StreamLimits {
  maxStreamsPerSecond?: number;
  maxInitializingStreams?: number;
}

export async function startBench(world: World, opts: StreamLimits = {}): Promise<Bench> {
  const logger = pino({ level: 'silent' });
  const metrics = new Metrics({ processDefaults: false });
  const tracker = new Tracker();
  const server = new XdsServer({ logger, metrics, generators, observers: [tracker.observer], ...opts });
  const listeners = new Set<(e: readonly ConfigEvent[]) => void>();
  let events = 0;
  const store: ConfigStore = {
    list: () => [],
    get: () => undefined,
    replace: () => [],
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const controller = new PushController({
    store,
    server,
    logger,
    metrics,
    builder: {
      buildPushContext: (_s, _m, version) => world.push(version),
      // The world knows which host moved; every host is compared like updateEndpoints does.
      updateEndpoints: (prev, _s, version) => {
        const push = world.pushEndpoints(prev, version);
        const changed = [...push.endpointsByHost.keys()].filter((h) => push.endpointsByHost.get(h) !== prev.endpointsByHost.get(h));
        return { push, changedHosts: changed };
      },
    },
  });
  await controller.start();
  const port = await server.listen('127.0.0.1:0');
  return {
    server,
    controller,
    tracker,
    metrics,
    port,
    emit(kind, namespace, name) {
      events += 1;
      for (const l of listeners) l([{ kind, namespace, name, type: 'update' }]);
    },
    eventsIn: () => events,
    async close() {
      await controller.stop();
      await server.close();
    },
  };
}

export interface Clients {
  reconnect(): void;
  /** Stops the clients; resolves with their processes' CPU seconds since start or the last reconnect (0 in-process). */
  stop(): Promise<number>;
}

/** Clients in the bench process itself (the rot test: no compiled worker to fork). */
let inProcess = false;
export function runClientsInProcess(on: boolean): void {
  inProcess = on;
}

const WORKER = fileURLToPath(new URL('./client-worker.js', import.meta.url));
// Clients per forked process: enough to keep the process count (and memory) low.
const PER_PROCESS = 250;

function startWorker(msg: ToWorker): Promise<ChildProcess> {
  // MINI_ISTIOD_BENCH_PROFILE=DIR profiles the client processes too (isolate.ts).
  const prof = process.env['MINI_ISTIOD_BENCH_PROFILE'];
  // Clients share the machine's cores with the server, so their GC is charged, in wall time,
  // to the server. One GC thread, a larger young generation and a lazier old generation
  // (every response is a fresh Buffer: see src/xds/gc-tuning.ts) halve their CPU in W4.
  const execArgv = ['--max-old-space-size=1024', '--single-threaded-gc', '--max-semi-space-size=32', '--heap-growing-percent=300', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])];
  const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, env: { ...process.env, MINI_ISTIOD_BENCH_WORKER: '1' } });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (m: FromWorker) => (m.ev === 'started' ? resolve(child) : reject(new Error('worker failed'))));
    child.send(msg);
  });
}

/** `n` simulated Envoys (numbered from `from`) spread over `namespaces`, in ⌈n/250⌉ processes. */
export async function startClients(port: number, protocol: 'sotw' | 'delta', n: number, namespaces: number, tag: string, from = 0): Promise<Clients> {
  if (inProcess) {
    const list: WorkerClient[] = Array.from({ length: n }, (_, k) => ({ id: `${tag}-${from + k}`, namespace: namespaceOf((from + k) % namespaces) }));
    const c = openClients(port, protocol, list);
    return {
      reconnect: () => c.reconnect(),
      stop: () => {
        c.stop();
        return Promise.resolve(0);
      },
    };
  }
  const children: ChildProcess[] = [];
  for (let start = from; start < from + n; start += PER_PROCESS) {
    const clients: WorkerClient[] = [];
    for (let i = start; i < Math.min(from + n, start + PER_PROCESS); i++) clients.push({ id: `${tag}-${i}`, namespace: namespaceOf(i % namespaces) });
    children.push(await startWorker({ cmd: 'start', port, protocol, clients }));
  }
  return {
    reconnect: () => children.forEach((c) => c.send({ cmd: 'reconnect' } satisfies ToWorker)),
    stop: async () => {
      const cpu = await Promise.all(
        children.map(
          (c) =>
            new Promise<number>((resolve) => {
              c.once('message', (m: FromWorker) => resolve(m.ev === 'stopped' ? m.cpuSeconds : 0));
              c.once('exit', () => resolve(0));
              c.send({ cmd: 'stop' } satisfies ToWorker);
            }),
        ),
      );
      return cpu.reduce((a, b) => a + b, 0);
    },
  };
}

/** `n` bare streams for the transport floor. */
export async function startFloorClients(port: number, n: number): Promise<() => void> {
  if (inProcess) return openFloorClients(port, n);
  const children: ChildProcess[] = [];
  for (let start = 0; start < n; start += PER_PROCESS) children.push(await startWorker({ cmd: 'floor', port, count: Math.min(PER_PROCESS, n - start) }));
  return () => children.forEach((c) => c.kill());
}
