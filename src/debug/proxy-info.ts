// Who is behind a connection snapshot: the Proxy the xDS server parsed from its node
// (labels, metadata and all), so the debug API translates exactly what the proxy got.
import type { ConnectionSnapshot } from '../xds/connection.js';
import type { Proxy, ProxyKind } from '../translate/proxy.js';

export interface ProxyInfo {
  kind: ProxyKind | 'unknown';
  cluster: string;
  istioVersion: string;
  /** The Proxy to translate for; undefined when the id cannot be parsed. */
  proxy: Proxy | undefined;
}

/** `kindHint` is unused now that snapshots carry the parsed Proxy; kept for callers. */
export function proxyOfSnapshot(snap: ConnectionSnapshot, _kindHint?: string): ProxyInfo {
  return info(snap.proxy);
}

function info(p: Proxy): ProxyInfo {
  return { kind: p.kind, cluster: p.cluster, istioVersion: p.metadata['ISTIO_VERSION'] ?? '', proxy: p };
}

/** `productpage-v1.default` for a sidecar id (istioctl's NAME column), else the id itself. */
export function displayName(proxyId: string): string {
  const parts = proxyId.split('~');
  return parts.length === 4 && parts[2] ? parts[2] : proxyId;
}

/**
 * Resolves what a user typed (a full node id, `pod.namespace`, a pod name, or a unique
 * prefix of any of these) to one proxy id. Returns the matches when there is not exactly one.
 */
export function matchProxy(query: string, ids: readonly string[]): { id: string } | { matches: string[] } {
  const unique = [...new Set(ids)].sort();
  if (unique.includes(query)) return { id: query };
  const names = (id: string): string[] => {
    const d = displayName(id);
    return [id, d, d.split('.')[0] ?? d];
  };
  const exact = unique.filter((id) => names(id).includes(query));
  if (exact.length === 1) return { id: exact[0] as string };
  const prefixed = exact.length > 1 ? exact : unique.filter((id) => names(id).some((n) => n.startsWith(query)));
  if (prefixed.length === 1) return { id: prefixed[0] as string };
  return { matches: prefixed };
}
