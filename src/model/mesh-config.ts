// MeshConfig: the mesh-wide settings istiod reads from the `istio` ConfigMap's `mesh` key.
// We read the handful of fields that change what we translate; the rest of Istio's
// MeshConfig is accepted and reported as not supported (never silently dropped).
// rootNamespace is where mesh-wide defaults live: its selector-less Sidecar applies to
// namespaces without their own, and its DestinationRules are every host's fallback.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_MESH_CONFIG, type MeshConfig } from '../push/push-context.js';
import { parseDuration } from './duration.js';

const meshSchema = z
  .object({
    outboundTrafficPolicy: z.object({ mode: z.enum(['ALLOW_ANY', 'REGISTRY_ONLY']) }).strict().optional(),
    connectTimeout: z.string().optional(),
    trustDomain: z.string().min(1).optional(),
    rootNamespace: z.string().min(1).optional(),
    // ProxyConfig: accepted (installs carry one) and reported field by field, since
    // nothing we generate reads it yet (bootstrap settings belong to the agent).
    defaultConfig: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

export interface LoadedMeshConfig {
  mesh: MeshConfig;
  /**
   * MeshConfig fields present in the file that mini-istiod does not use: top-level names,
   * and `defaultConfig.FIELD` for each ProxyConfig field (none is used yet).
   */
  unsupported: string[];
}

export function parseMeshConfig(text: string, file: string): LoadedMeshConfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const res = meshSchema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    throw new Error(`${file}: MeshConfig ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const m = res.data;
  if (m.connectTimeout !== undefined) {
    try {
      parseDuration(m.connectTimeout);
    } catch (err) {
      throw new Error(`${file}: MeshConfig connectTimeout: ${(err as Error).message}`);
    }
  }
  const known = new Set(['outboundTrafficPolicy', 'connectTimeout', 'trustDomain', 'rootNamespace', 'defaultConfig']);
  const proxyConfigFields = Object.keys(m.defaultConfig ?? {}).map((k) => `defaultConfig.${k}`);
  return {
    mesh: {
      outboundTrafficPolicy: m.outboundTrafficPolicy?.mode ?? DEFAULT_MESH_CONFIG.outboundTrafficPolicy,
      connectTimeout: m.connectTimeout ?? DEFAULT_MESH_CONFIG.connectTimeout,
      trustDomain: m.trustDomain ?? DEFAULT_MESH_CONFIG.trustDomain,
      rootNamespace: m.rootNamespace ?? DEFAULT_MESH_CONFIG.rootNamespace,
    },
    unsupported: [...Object.keys(m).filter((k) => !known.has(k)), ...proxyConfigFields].sort(),
  };
}

export async function loadMeshConfig(file: string | undefined): Promise<LoadedMeshConfig> {
  if (!file) return { mesh: DEFAULT_MESH_CONFIG, unsupported: [] };
  return parseMeshConfig(await readFile(file, 'utf8'), file);
}
