// Wires the pipeline together: file and Kubernetes sources → config store → push controller (debounce,
// PushContext) → translator generators → xDS server, plus the HTTP server for /ready and
// /metrics. `serve` and the end-to-end tests both start the control plane through here.
import type { Logger } from 'pino';
import { MemoryConfigStore } from '../model/config-store.js';
import { FileSource } from '../sources/file/file-source.js';
import { KubeSource, type KubeSourceOptions } from '../sources/kube/kube-source.js';
import { PushController } from '../push/push-controller.js';
import { buildPushContext, updateEndpoints } from '../push/build-push-context.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig } from '../push/push-context.js';
import { generators } from '../translate/generators.js';
import { XdsServer, type NackEvent } from '../xds/xds-server.js';
import { DebugHttpServer } from '../debug/http-server.js';
import { registerDebugRoutes } from '../debug/debug-routes.js';
import { registerUi } from '../debug/ui/register-ui.js';
import { Metrics } from '../metrics.js';
import { silentLogger } from '../log.js';
import { parseHostPort } from './options.js';

export interface ControlPlaneOptions {
  /** Directory of YAML to load and watch; none = an empty model. */
  configDir?: string;
  /** HOST:PORT; port 0 picks a free one (see the returned ports). */
  grpcAddr: string;
  httpAddr: string;
  debounceAfterMs?: number;
  debounceMaxMs?: number;
  /** Concurrent pushes (PILOT_PUSH_THROTTLE); default min(15 + 5 × cores, 100). */
  pushThrottle?: number;
  /** New xDS streams per second (PILOT_MAX_REQUESTS_PER_SECOND); 0 = unlimited, the default. */
  maxStreamsPerSecond?: number;
  /** New streams taking their first full config at once (xds/admission.ts); 0 = unlimited. */
  maxInitializingStreams?: number;
  mesh?: MeshConfig;
  logger?: Logger;
  /** Watch a Kubernetes API server too (with or without configDir). */
  kube?: Omit<KubeSourceOptions, 'store' | 'logger'>;
}

export interface ControlPlane {
  grpcPort: number;
  httpPort: number;
  store: MemoryConfigStore;
  xds: XdsServer;
  controller: PushController;
  /** The Kubernetes source, when watching an API server. */
  kube?: KubeSource;
  /** Resolves once /ready answers 200: at return for files only, after the informers sync with Kubernetes. */
  ready: Promise<void>;
  /** Every NACK received since start, oldest first. */
  nacks(): NackEvent[];
  close(): Promise<void>;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const logger = opts.logger ?? silentLogger();
  const metrics = new Metrics();
  const store = new MemoryConfigStore({ logger });
  const xds = new XdsServer({ logger, metrics, generators, pushThrottle: opts.pushThrottle, maxStreamsPerSecond: opts.maxStreamsPerSecond, maxInitializingStreams: opts.maxInitializingStreams });
  const http = new DebugHttpServer({ logger, metrics });

  const httpAddr = parseHostPort(opts.httpAddr);
  const httpPort = await http.listen(httpAddr.host, httpAddr.port);

  const source = opts.configDir ? new FileSource({ dir: opts.configDir, store, logger }) : undefined;
  if (source) await source.start();
  // Informers start now and sync in the background; nothing is pushed before they have.
  const kube = opts.kube ? new KubeSource({ ...opts.kube, store, logger }) : undefined;
  if (kube) await kube.start();
  let closing!: () => void;
  const closed = new Promise<'closed'>((r) => (closing = () => r('closed')));

  const controller = new PushController({
    store,
    server: xds,
    builder: { buildPushContext, updateEndpoints },
    logger,
    metrics,
    mesh: opts.mesh ?? DEFAULT_MESH_CONFIG,
    debounceAfterMs: opts.debounceAfterMs,
    debounceMaxMs: opts.debounceMaxMs,
  });
  // The first push is built only from a complete store (every informer listed once), so
  // no proxy ever sees a half-synced mesh: until then gRPC listens but requests wait.
  const started = Promise.race([kube ? kube.synced : Promise.resolve(), closed]).then(async (r) => {
    if (r === 'closed') return false;
    await controller.start();
    return true;
  });
  if (!kube) await started;
  // Before gRPC listens, so the debug API's recorder sees every stream from its connect.
  const stopDebug = registerDebugRoutes(http, { xds, controller, store, sources: [source, kube] });
  // The web UI (/ui), likewise before gRPC listens.
  const ui = registerUi(http, { xds, controller, store });

  const grpcPort = await xds.listen(opts.grpcAddr);
  // Ready = the config is loaded and pushed into the server, and gRPC listens.
  const ready = started.then((ok) => {
    if (!ok) return;
    http.setReady();
    logger.info(
      { grpc: `${parseHostPort(opts.grpcAddr).host}:${grpcPort}`, http: `${httpAddr.host}:${httpPort}`, configDir: opts.configDir, kubernetes: kube !== undefined },
      'mini-istiod ready',
    );
  });
  if (kube && !kube.hasSynced) logger.info('waiting for the Kubernetes informers to sync before the first push (/ready is 503 until then)');
  ready.catch((err: unknown) => logger.error({ err }, 'first push failed'));
  if (!kube) await ready;

  return {
    grpcPort,
    httpPort,
    store,
    xds,
    controller,
    kube,
    ready,
    nacks: () => xds.nackHistory(),
    close: async () => {
      closing();
      stopDebug();
      ui.close();
      await controller.stop();
      await source?.close();
      await kube?.close();
      await xds.close();
      await http.close();
    },
  };
}
