// `mini-istiod proxy-status`: istioctl's table of every connected proxy and, per type,
// whether it runs what we last sent (SYNCED), has not answered yet (STALE), was never
// sent that type (NOT SENT) or rejected it (ERROR). Reads /debug/syncz.
import { syncState } from '../debug/sync-status.js';
import { displayName } from '../debug/proxy-info.js';
import { arr, getJson, rec, str } from './debug-client.js';
import { formatTable } from './table.js';

const TYPES = ['cds', 'lds', 'eds', 'rds'] as const;

/** `2026-01-01T00:00:00Z/12`: the build time, then a counter; compare by both. */
export function compareVersions(a: string, b: string): number {
  const [ta = '', ca = ''] = a.split('/');
  const [tb = '', cb = ''] = b.split('/');
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = Number(ca);
  const nb = Number(cb);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** The table for a /debug/syncz body. */
export function proxyStatusTable(syncz: unknown): string {
  const rows = arr(syncz).map((r) => {
    const row = rec(r);
    const xds = rec(row['xds']);
    const states = TYPES.map((t) => {
      const x = rec(xds[t]);
      // Recompute from the raw fields, so an older server's rows read the same way.
      return syncState({ nonceSent: str(x['sent_nonce']) || null, nonceAcked: str(x['acked_nonce']) || null, lastNack: x['nack'] ? { nonce: str(rec(x['nack'])['nonce']) } : null });
    });
    // The newest config version the proxy accepted on any type.
    const acked = TYPES.map((t) => str(rec(xds[t])['acked_version'])).filter((v) => v !== '');
    const version = acked.sort(compareVersions).at(-1) ?? '-';
    const [cds, lds, eds, rds] = states;
    return [displayName(str(row['proxy'])), str(row['cluster_id']) || '-', cds, lds, eds, rds, version] as string[];
  });
  rows.sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : (a[0] ?? '') > (b[0] ?? '') ? 1 : 0));
  return formatTable(['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'VERSION'], rows);
}

export async function proxyStatus(server: string): Promise<string> {
  return proxyStatusTable(await getJson(server, '/debug/syncz'));
}

export async function runProxyStatus(opts: { server: string }): Promise<void> {
  process.stdout.write(await proxyStatus(opts.server));
}
