// `mini-istiod serve`: run the control plane until SIGINT/SIGTERM.
import type { LevelWithSilent } from 'pino';
import { createLogger, type LogFormat } from '../log.js';
import { loadMeshConfig } from '../model/mesh-config.js';
import { startControlPlane } from './control-plane.js';
import { formatHostPort, type HostPort } from './options.js';

export interface ServeFlags {
  configDir?: string;
  meshConfig?: string;
  grpcAddr: HostPort;
  httpAddr: HostPort;
  debounceAfter: number;
  debounceMax: number;
  logLevel: LevelWithSilent;
  logFormat: LogFormat;
}

export async function runServe(flags: ServeFlags): Promise<void> {
  const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
  const { mesh, unsupported } = await loadMeshConfig(flags.meshConfig);
  if (unsupported.length) logger.warn({ fields: unsupported }, `MeshConfig fields not supported yet, ignored: ${unsupported.join(', ')}`);
  if (!flags.configDir) logger.warn('no --config-dir given: serving an empty model');

  const cp = await startControlPlane({
    configDir: flags.configDir,
    grpcAddr: formatHostPort(flags.grpcAddr),
    httpAddr: formatHostPort(flags.httpAddr),
    debounceAfterMs: flags.debounceAfter,
    debounceMaxMs: flags.debounceMax,
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
