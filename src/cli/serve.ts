// `mini-istiod serve`: run the control plane until SIGINT/SIGTERM.
import type { LevelWithSilent } from 'pino';
import { createLogger, type LogFormat } from '../log.js';
import { loadMeshConfig } from '../model/mesh-config.js';
import { startControlPlane } from './control-plane.js';
import { loadKubeConfig, resolveKubeMode } from '../sources/kube/kube-config.js';
import { formatHostPort, type HostPort } from './options.js';
import { tuneGcForFanOut } from '../xds/gc-tuning.js';

export interface ServeFlags {
  configDir?: string;
  meshConfig?: string;
  kubeconfig?: string;
  kubeContext?: string;
  inCluster?: boolean;
  namespaces?: string[];
  grpcAddr: HostPort;
  httpAddr: HostPort;
  debounceAfter: number;
  debounceMax: number;
  pushThrottle?: number;
  maxStreamsPerSecond?: number;
  maxInitializingStreams?: number;
  logLevel: LevelWithSilent;
  logFormat: LogFormat;
}

export async function runServe(flags: ServeFlags): Promise<void> {
  tuneGcForFanOut();
  const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
  const { mesh, unsupported } = await loadMeshConfig(flags.meshConfig);
  if (unsupported.length) logger.warn({ fields: unsupported }, `MeshConfig fields not supported yet, ignored: ${unsupported.join(', ')}`);
  const kubeMode = resolveKubeMode(flags);
  if (!flags.configDir && !kubeMode) logger.warn('no --config-dir or --kubeconfig given: serving an empty model');
  if (kubeMode) logger.info({ kube: kubeMode }, kubeMode.mode === 'in-cluster' ? 'using the in-cluster service account' : `using kubeconfig ${kubeMode.path}`);

  const cp = await startControlPlane({
    configDir: flags.configDir,
    kube: kubeMode ? { kubeConfig: loadKubeConfig(kubeMode), namespaces: flags.namespaces } : undefined,
    grpcAddr: formatHostPort(flags.grpcAddr),
    httpAddr: formatHostPort(flags.httpAddr),
    debounceAfterMs: flags.debounceAfter,
    debounceMaxMs: flags.debounceMax,
    pushThrottle: flags.pushThrottle,
    maxStreamsPerSecond: flags.maxStreamsPerSecond,
    maxInitializingStreams: flags.maxInitializingStreams,
    mesh,
    logger,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    cp.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
