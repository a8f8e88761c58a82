// /debug/syncz and /debug/connections: what every connected proxy was sent and what it
// answered, per type. syncz keeps Istio's SyncStatus fields (pilot/pkg/xds/debug.go:
// cluster_id, proxy, proxy_type, istio_version, <type>_sent / <type>_acked nonces) so that
// tools written against istiod read it, and adds an `xds` block per type with versions,
// the proxy-status word and the last NACK, which Istio only exposes in its logs.
import type { ConnectionSnapshot } from '../xds/connection.js';
import { TypeUrl, type XdsTypeUrl } from '../translate/api.js';
import { proxyOfSnapshot, type ProxyInfo } from './proxy-info.js';
import { syncState, type SyncState } from './sync-status.js';

/** istioctl's column order (CDS, LDS, EDS, RDS), with Istio's syncz field prefixes. */
export const SYNC_TYPES = [
  { short: 'cds', istio: 'cluster', typeUrl: TypeUrl.Cluster },
  { short: 'lds', istio: 'listener', typeUrl: TypeUrl.Listener },
  { short: 'eds', istio: 'endpoint', typeUrl: TypeUrl.ClusterLoadAssignment },
  { short: 'rds', istio: 'route', typeUrl: TypeUrl.RouteConfiguration },
] as const satisfies readonly { short: string; istio: string; typeUrl: XdsTypeUrl }[];

export type ShortType = (typeof SYNC_TYPES)[number]['short'];

export interface TypeSync {
  status: SyncState;
  sent_version: string | null;
  sent_nonce: string | null;
  acked_version: string | null;
  acked_nonce: string | null;
  /** The last NACK of this type on this stream, even if a later response was ACKed. */
  nack: { nonce: string; version: string; message: string; time: string } | null;
}

/** One connection's row. Istio's fields are omitted when empty, as Go's omitempty does. */
export interface SyncStatus {
  cluster_id?: string;
  proxy: string;
  proxy_type: string;
  istio_version?: string;
  cluster_sent?: string;
  cluster_acked?: string;
  listener_sent?: string;
  listener_acked?: string;
  route_sent?: string;
  route_acked?: string;
  endpoint_sent?: string;
  endpoint_acked?: string;
  /** mini-istiod: the stream (a proxy that reconnects shows up once per live stream). */
  connection_id: string;
  connected_at: string;
  xds: Record<ShortType, TypeSync>;
}

function typeSync(t: ConnectionSnapshot['types'][number] | undefined): TypeSync {
  return {
    status: syncState(t),
    sent_version: t?.versionSent ?? null,
    sent_nonce: t?.nonceSent ?? null,
    acked_version: t?.versionAcked ?? null,
    acked_nonce: t?.nonceAcked ?? null,
    nack: t?.lastNack ? { nonce: t.lastNack.nonce, version: t.lastNack.version, message: t.lastNack.message, time: t.lastNack.time } : null,
  };
}

function byProxyThenConn(a: ConnectionSnapshot, b: ConnectionSnapshot): number {
  if (a.proxyId !== b.proxyId) return a.proxyId < b.proxyId ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** One row per live stream, sorted by proxy then connection. */
export function buildSyncz(snaps: readonly ConnectionSnapshot[], info: (s: ConnectionSnapshot) => ProxyInfo = proxyOfSnapshot): SyncStatus[] {
  return [...snaps].sort(byProxyThenConn).map((s) => {
    const p = info(s);
    const byType = new Map(s.types.map((t) => [t.typeUrl, t]));
    // Insert in Istio's field order; JSON.stringify keeps insertion order.
    const ordered: Record<string, unknown> = {};
    if (p.cluster) ordered['cluster_id'] = p.cluster;
    ordered['proxy'] = s.proxyId;
    ordered['proxy_type'] = p.kind;
    if (p.istioVersion) ordered['istio_version'] = p.istioVersion;
    for (const t of SYNC_TYPES) {
      const w = byType.get(t.typeUrl);
      if (w?.nonceSent) ordered[`${t.istio}_sent`] = w.nonceSent;
      if (w?.nonceAcked) ordered[`${t.istio}_acked`] = w.nonceAcked;
    }
    ordered['connection_id'] = s.id;
    ordered['connected_at'] = s.connectedAt;
    ordered['xds'] = Object.fromEntries(SYNC_TYPES.map((t) => [t.short, typeSync(byType.get(t.typeUrl))]));
    // `ordered` was filled field by field from SyncStatus's own members.
    return ordered as unknown as SyncStatus;
  });
}

export interface ConnectionInfo {
  id: string;
  proxy: string;
  proxy_type: string;
  cluster: string;
  peer: string;
  connected_at: string;
  watches: {
    type: ShortType | string;
    type_url: string;
    wildcard: boolean;
    names: string[];
    resources_sent: number;
    status: SyncState;
  }[];
}

const SHORT_BY_URL = new Map<string, ShortType>(SYNC_TYPES.map((t) => [t.typeUrl, t.short]));
const ORDER = new Map<string, number>(SYNC_TYPES.map((t, i) => [t.typeUrl, i]));

/** /debug/connections: every live stream and what it subscribes to. */
export function buildConnections(snaps: readonly ConnectionSnapshot[], info: (s: ConnectionSnapshot) => ProxyInfo = proxyOfSnapshot): ConnectionInfo[] {
  return [...snaps].sort(byProxyThenConn).map((s) => {
    const p = info(s);
    return {
      id: s.id,
      proxy: s.proxyId,
      proxy_type: p.kind,
      cluster: p.cluster,
      peer: s.peer,
      connected_at: s.connectedAt,
      watches: [...s.types]
        .sort((a, b) => (ORDER.get(a.typeUrl) ?? 9) - (ORDER.get(b.typeUrl) ?? 9))
        .map((t) => ({
          type: SHORT_BY_URL.get(t.typeUrl) ?? t.typeUrl,
          type_url: t.typeUrl,
          wildcard: t.wildcard,
          names: t.names,
          resources_sent: t.resourcesSent,
          status: syncState(t),
        })),
    };
  });
}
