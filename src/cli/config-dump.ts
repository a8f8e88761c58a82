// `mini-istiod config-dump`: what one proxy would receive, computed offline from a config
// directory, printed like Envoy's admin /config_dump.
import { stringify } from 'yaml';
import { MemoryConfigStore } from '../model/config-store.js';
import { loadMeshConfig } from '../model/mesh-config.js';
import { FileSource } from '../sources/file/file-source.js';
import { buildPushContext } from '../push/build-push-context.js';
import { generateAll } from '../translate/generators.js';
import { parseProxy } from '../translate/proxy.js';
import { buildConfigDump } from '../debug/config-dump.js';
import { createLogger } from '../log.js';

export interface ConfigDumpFlags {
  configDir: string;
  nodeId: string;
  nodeCluster: string;
  metadata: Record<string, unknown>;
  meshConfig?: string;
  output: 'json' | 'yaml';
}

export async function runConfigDump(flags: ConfigDumpFlags): Promise<void> {
  // Problems in the input go to stderr as readable lines; stdout carries only the dump.
  const logger = createLogger({ level: 'warn', format: 'text', destination: process.stderr });
  const { mesh, unsupported } = await loadMeshConfig(flags.meshConfig);
  if (unsupported.length) logger.warn({ fields: unsupported }, `MeshConfig fields not supported yet, ignored: ${unsupported.join(', ')}`);
  const proxy = parseProxy({ id: flags.nodeId, cluster: flags.nodeCluster, metadata: flags.metadata });

  const store = new MemoryConfigStore();
  const source = new FileSource({ dir: flags.configDir, store, logger, watch: false });
  await source.start();
  await source.close();

  const push = buildPushContext(store, mesh, 'offline');
  const { resources, warnings } = generateAll(push, proxy);
  for (const w of warnings) logger.warn(`${w.object}: ${w.field}: ${w.message}`);
  const dump = buildConfigDump(resources, push.version);
  process.stdout.write(flags.output === 'yaml' ? stringify(dump, { lineWidth: 0 }) : `${JSON.stringify(dump, null, 2)}\n`);
  // The dump shows what did load; a config dir with invalid files still fails the command.
  if (source.errors().length > 0) process.exitCode = 1;
}
