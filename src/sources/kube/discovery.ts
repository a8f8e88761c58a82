// API discovery: which version of each watched kind the API server serves. The core group
// is always there; for other groups, /apis lists the groups and versions served and
// /apis/GROUP/VERSION the resources in each. A kind is resolved to its most preferred
// version (networking.istio.io/v1 before v1beta1 before v1alpha3) that lists its resource;
// a kind no served version lists is "missing": its CRD is not installed.
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-client.js';
import type { ServedKind, WatchedKind } from './resources.js';

export interface DiscoveryResult {
  served: ServedKind[];
  missing: WatchedKind[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

const TIMEOUT_MS = 30_000;

export async function discover(client: KubeClient, kinds: readonly WatchedKind[], signal?: AbortSignal): Promise<DiscoveryResult> {
  const groups = new Set(kinds.map((k) => k.group).filter((g) => g !== ''));
  /** group → versions the server lists for it. */
  const servedVersions = new Map<string, Set<string>>();
  if (groups.size > 0) {
    const list = await client.getJson('/apis', { timeoutMs: TIMEOUT_MS, signal });
    for (const g of records(list['groups'])) {
      const name = typeof g['name'] === 'string' ? g['name'] : '';
      if (!groups.has(name)) continue;
      servedVersions.set(name, new Set(records(g['versions']).map((v) => String(v['version']))));
    }
  }
  /** `group/version` → resource names it serves (fetched once per group/version). */
  const resources = new Map<string, Set<string>>();
  const resourcesOf = async (group: string, version: string): Promise<Set<string>> => {
    const gv = `${group}/${version}`;
    let set = resources.get(gv);
    if (!set) {
      try {
        const rl = await client.getJson(`/apis/${gv}`, { timeoutMs: TIMEOUT_MS, signal });
        // Subresources (pods/status) are listed too; only whole resources count.
        set = new Set(records(rl['resources']).map((r) => String(r['name'])).filter((n) => !n.includes('/')));
      } catch (err) {
        // Listed in /apis a moment ago but gone now (a CRD being removed): not served.
        if (!(err instanceof KubeApiError && err.code === 404)) throw err;
        set = new Set();
      }
      resources.set(gv, set);
    }
    return set;
  };

  const out: DiscoveryResult = { served: [], missing: [] };
  for (const k of kinds) {
    if (k.group === '') {
      // The core group's v1 is served by every API server this could talk to.
      out.served.push({ ...k, version: k.versions[0] ?? 'v1' });
      continue;
    }
    const versions = servedVersions.get(k.group);
    let found: string | undefined;
    for (const v of k.versions) {
      if (versions?.has(v) && (await resourcesOf(k.group, v)).has(k.resource)) {
        found = v;
        break;
      }
    }
    if (found === undefined) out.missing.push(k);
    else out.served.push({ ...k, version: found });
  }
  return out;
}
