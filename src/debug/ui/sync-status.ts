// Per proxy and type, the state `istioctl proxy-status` prints, from the xDS server's
// connection snapshots: SYNCED (the last response sent was ACKed), STALE (sent, not yet
// ACKed), NOT SENT (nothing sent for a type it watches), ERROR (the last one was NACKed).
import type { ConnectionSnapshot } from '../../xds/connection.js';
import { SHORT_TYPE } from '../../translate/api.js';
import type { XdsTypeUrl } from '../../translate/api.js';

export type SyncState = 'SYNCED' | 'STALE' | 'NOT SENT' | 'ERROR';

type TypeSnapshot = ConnectionSnapshot['types'][number];

export function syncState(t: TypeSnapshot): SyncState {
  if (!t.nonceSent) return 'NOT SENT';
  if (t.lastNack && t.lastNack.nonce === t.nonceSent) return 'ERROR';
  return t.nonceAcked === t.nonceSent ? 'SYNCED' : 'STALE';
}

export interface ProxyView {
  conn: string;
  proxy: string;
  kind: string;
  peer: string;
  connectedAt: string;
  /** Worst state over its types: what a one-word summary should say. */
  state: SyncState | 'CONNECTED';
  types: (TypeSnapshot & { type: string; state: SyncState })[];
}

const SEVERITY: SyncState[] = ['ERROR', 'STALE', 'NOT SENT', 'SYNCED'];
const ORDER = ['lds', 'rds', 'cds', 'eds'];

export function proxyView(c: ConnectionSnapshot, kind: string): ProxyView {
  const types = c.types
    .map((t) => ({ ...t, type: SHORT_TYPE[t.typeUrl as XdsTypeUrl] ?? t.typeUrl, state: syncState(t) }))
    .sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
  const state = SEVERITY.find((s) => types.some((t) => t.state === s)) ?? 'CONNECTED';
  return { conn: c.id, proxy: c.proxyId, kind, peer: c.peer, connectedAt: c.connectedAt, state, types };
}
