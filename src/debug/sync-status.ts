// The one rule that turns "what we sent" and "what the proxy answered" into the word
// istioctl proxy-status prints. Shared by /debug/syncz (server side) and the CLI, so the
// two never disagree.

export type SyncState = 'SYNCED' | 'STALE' | 'NOT SENT' | 'ERROR';

/** What we know about one type on one stream (a subset of ConnectionSnapshot's types). */
export interface TypeSyncInput {
  nonceSent?: string | null;
  nonceAcked?: string | null;
  lastNack?: { nonce: string } | null;
}

/**
 * NOT SENT: we never answered this type. ERROR: the proxy NACKed our latest response for
 * it (the NACK's nonce is the one we last sent). SYNCED: it ACKed our latest response.
 * STALE: anything else, i.e. a response is in flight or the proxy answered an older one.
 */
export function syncState(t: TypeSyncInput | undefined): SyncState {
  if (!t?.nonceSent) return 'NOT SENT';
  if (t.lastNack && t.lastNack.nonce === t.nonceSent) return 'ERROR';
  if (t.nonceAcked === t.nonceSent) return 'SYNCED';
  return 'STALE';
}
