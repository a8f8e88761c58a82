// Wires the pipeline together: file source → config store → push controller (debounce,
// PushContext) → translator generators → xDS server, plus the HTTP server for /ready and
// /metrics. `serve` and the end-to-end tests both start the control plane through here.
import type { Logger } from 'pino';
import { MemoryConfigStore } from '../model/config-store.js';
import { FileSource } from '../sources/file/file-source.js';
import { PushController } from '../push/push-controller.js';
import { buildPushContext, updateEndpoints } from '../push/build-push-context.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig } from '../push/push-context.js';
import { generators } from '../translate/generators.js';
import { XdsServer, type NackEvent } from '../xds/xds-server.js';
import { DebugHttpServer } from '../debug/http-server.js';
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
  mesh?: MeshConfig;
  logger?: Logger;
}

export interface ControlPlane {
  grpcPort: number;
  httpPort: number;
  store: MemoryConfigStore;
  xds: XdsServer;
  controller: PushController;
  /** Every NACK received since start, oldest first. */
  nacks(): NackEvent[];
  close(): Promise<void>;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const logger = opts.logger ?? silentLogger();
  const metrics = new Metrics();
  const store = new MemoryConfigStore({ logger });
  const xds = new XdsServer({ logger, metrics, generators });
  const http = new DebugHttpServer({ logger, metrics });

  const httpAddr = parseHostPort(opts.httpAddr);
  const httpPort = await http.listen(httpAddr.host, httpAddr.port);

  const source = opts.configDir ? new FileSource({ dir: opts.configDir, store, logger }) : undefined;
  if (source) await source.start();

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
  await controller.start();

  const grpcPort = await xds.listen(opts.grpcAddr);
  // Ready = the config is loaded and pushed into the server, and gRPC listens.
  http.setReady();
  logger.info(
    { grpc: `${parseHostPort(opts.grpcAddr).host}:${grpcPort}`, http: `${httpAddr.host}:${httpPort}`, configDir: opts.configDir },
    'mini-istiod ready',
  );

  return {
    grpcPort,
    httpPort,
    store,
    xds,
    controller,
    nacks: () => xds.nackHistory(),
    close: async () => {
      await controller.stop();
      await source?.close();
      await xds.close();
      await http.close();
    },
  };
}
