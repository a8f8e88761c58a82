// Who is behind a connection snapshot. ConnectionSnapshot carries the node id only, so the
// Proxy is re-derived from it: exact for Envoy sidecars (kind, IP, pod, namespace come from
// the id), approximate otherwise (node.cluster, labels and metadata are not in the
// snapshot). When the xDS server adds `proxy` to its snapshots, that is used instead.
import type { ConnectionSnapshot } from '../xds/connection.js';
import { parseProxy, type Proxy, type ProxyKind } from '../translate/proxy.js';

export interface ProxyInfo {
  kind: ProxyKind | 'unknown';
  cluster: string;
  istioVersion: string;
  /** The Proxy to translate for; undefined when the id cannot be parsed. */
  proxy: Proxy | undefined;
}

/** A snapshot that may (in a later version of src/xds) carry the parsed Proxy. */
type MaybeWithProxy = ConnectionSnapshot & { proxy?: Proxy };

/** `kindHint` is the kind the xDS server reported at connect (grpc cannot be told from the id). */
export function proxyOfSnapshot(snap: ConnectionSnapshot, kindHint?: string): ProxyInfo {
  const carried = (snap as MaybeWithProxy).proxy;
  if (carried) return info(carried);
  const metadata: Record<string, unknown> = kindHint === 'grpc' ? { GENERATOR: 'grpc' } : {};
  try {
    return info(parseProxy({ id: snap.proxyId, metadata }));
  } catch {
    return { kind: 'unknown', cluster: '', istioVersion: '', proxy: undefined };
  }
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
