// Offline analysis of a config directory, as `istioctl analyze` does for a cluster: load
// every file, build the same PushContext the server would, run each analyzer, and return
// the messages sorted (errors first).
import { MemoryConfigStore } from '../model/config-store.js';
import { buildPushContext } from '../push/build-push-context.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig } from '../push/push-context.js';
import { ANALYZERS } from './analyzers.js';
import { loadConfigDir } from './load.js';
import { compareMessages, type Message } from './messages.js';

export async function analyzeDir(dir: string, mesh: MeshConfig = DEFAULT_MESH_CONFIG): Promise<Message[]> {
  const loaded = await loadConfigDir(dir);
  const store = new MemoryConfigStore();
  // One owner per file, as the file source does; invalid documents are already left out.
  const byFile = new Map<string, typeof loaded.objects>();
  for (const o of loaded.objects) byFile.set(o.origin.location, [...(byFile.get(o.origin.location) ?? []), o]);
  for (const [file, objects] of byFile) store.replace(file, objects);
  const push = buildPushContext(store, mesh, 'analyze');
  // An object defined in several files counts once: the definition the store (and so the
  // server) uses.
  const objects = loaded.objects.filter((o) => store.get(o.kind, o.metadata.namespace, o.metadata.name) === o);
  const input = { loaded: { ...loaded, objects }, push };
  return ANALYZERS.flatMap((a) => a(input)).sort(compareMessages);
}

/** istioctl's exit code when analysis finds issues at or above the failure threshold (Error). */
export const EXIT_ISSUES_FOUND = 79;

export function hasErrors(messages: readonly Message[]): boolean {
  return messages.some((m) => m.type.level === 'Error');
}
