// The tables of `mini-istiod proxy-config`, from a live config dump (and /debug/configz
// for the DESTINATION RULE and VIRTUAL SERVICE columns, which istioctl reads from Istio's
// `istio` filter metadata on each resource; we do not emit that metadata, so we look the
// rule up by host the way the translator does).
import { resolveHost } from '../model/host.js';
import { splitHostPort } from '../translate/names.js';
import { arr, rec, str } from './debug-client.js';
import { formatTable } from './table.js';

export type ConfigType = 'clusters' | 'listeners' | 'routes' | 'endpoints';
type Json = Record<string, unknown>;

const SECTIONS: Record<ConfigType, { dump: string; list: string; item: (e: Json) => unknown }> = {
  clusters: { dump: 'ClustersConfigDump', list: 'dynamicActiveClusters', item: (e) => e['cluster'] },
  listeners: { dump: 'ListenersConfigDump', list: 'dynamicListeners', item: (e) => rec(e['activeState'])['listener'] },
  routes: { dump: 'RoutesConfigDump', list: 'dynamicRouteConfigs', item: (e) => e['routeConfig'] },
  endpoints: { dump: 'EndpointsConfigDump', list: 'dynamicEndpointConfigs', item: (e) => e['endpointConfig'] },
};

/** The resources of one type in an envoy.admin.v3.ConfigDump, each with its "@type". */
export function resourcesOf(dump: unknown, type: ConfigType): Json[] {
  const s = SECTIONS[type];
  const section = arr(rec(dump)['configs']).map(rec).find((c) => str(c['@type']).endsWith(`.${s.dump}`));
  return arr(section?.[s.list]).map((e) => rec(s.item(rec(e))));
}

/** "name.namespace" of the first config object of `kind` whose host(s) resolve to `host`. */
function ownerOf(configz: unknown, kind: string, host: string, hostsOf: (spec: Json) => string[]): string {
  for (const o of arr(configz).map(rec)) {
    if (o['kind'] !== kind) continue;
    const meta = rec(o['metadata']);
    const ns = str(meta['namespace'], 'default');
    if (hostsOf(rec(o['spec'])).some((h) => resolveHost(h, ns) === host)) return `${str(meta['name'])}.${ns}`;
  }
  return '-';
}

const drHosts = (spec: Json): string[] => [str(spec['host'])];
const vsHosts = (spec: Json): string[] => arr(spec['hosts']).map((h) => str(h));

function byColumns(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function clustersTable(dump: unknown, configz: unknown): string {
  const rows = resourcesOf(dump, 'clusters').map((c) => {
    const name = str(c['name']);
    const type = str(c['type'], c['clusterType'] ? 'CUSTOM' : 'EDS');
    // Istio's DIRECTION|PORT|SUBSET|HOST names; anything else (BlackHoleCluster, ...) as is.
    const [direction = '', port = '', subset = '', host = ''] = name.split('|');
    if (name.split('|').length !== 4 || (direction !== 'inbound' && direction !== 'outbound')) return [name, '-', '-', '-', type, '-'];
    const dr = host ? ownerOf(configz, 'DestinationRule', host, drHosts) : '-';
    return [host || '-', port, subset || '-', direction, type, dr];
  });
  return formatTable(['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'], rows.sort(byColumns));
}

/** istioctl's MATCH column: what selects the filter chain, or ALL. */
function chainMatch(m: Json): string {
  const parts: string[] = [];
  if (m['destinationPort'] !== undefined) parts.push(`Port: ${str(m['destinationPort'])}`);
  const ranges = arr(m['prefixRanges']).map((r) => `${str(rec(r)['addressPrefix'])}/${str(rec(r)['prefixLen'], '32')}`);
  if (ranges.length) parts.push(`Addr: ${ranges.join(',')}`);
  const sni = arr(m['serverNames']).map((s) => str(s));
  if (sni.length) parts.push(`SNI: ${sni.join(',')}`);
  if (m['transportProtocol']) parts.push(`Trans: ${str(m['transportProtocol'])}`);
  const app = arr(m['applicationProtocols']).map((s) => str(s));
  if (app.length) parts.push(`App: ${app.join(',')}`);
  return parts.length ? parts.join('; ') : 'ALL';
}

/** Where a filter chain sends traffic: an RDS route config, inline routes or a TCP cluster. */
function chainDestination(filters: Json[]): string {
  for (const f of filters) {
    const cfg = rec(f['typedConfig']);
    const type = str(cfg['@type']);
    if (type.endsWith('.HttpConnectionManager')) {
      const rds = rec(cfg['rds']);
      if (rds['routeConfigName'] !== undefined) return `Route: ${str(rds['routeConfigName'])}`;
      return `Inline Route: ${str(rec(cfg['routeConfig'])['name'])}`;
    }
    if (type.endsWith('.TcpProxy')) {
      const cluster = str(cfg['cluster']);
      if (cluster) return cluster === 'PassthroughCluster' || cluster === 'BlackHoleCluster' ? cluster : `Cluster: ${cluster}`;
      return 'Cluster: (weighted)';
    }
  }
  return 'Non-HTTP/Non-TCP';
}

export function listenersTable(dump: unknown): string {
  const rows: string[][] = [];
  for (const l of resourcesOf(dump, 'listeners')) {
    const sock = rec(rec(l['address'])['socketAddress']);
    const api = rec(l['apiListener']);
    if (l['address'] === undefined && api['apiListener'] !== undefined) {
      // A proxyless gRPC client's listener has no socket: it is named after the dial target.
      rows.push([str(l['name']), '-', 'ALL', chainDestination([{ typedConfig: api['apiListener'] }])]);
      continue;
    }
    const address = str(sock['address'], '-');
    const port = str(sock['portValue'], '-');
    for (const fc of arr(l['filterChains']).map(rec)) {
      rows.push([address, port, chainMatch(rec(fc['filterChainMatch'])), chainDestination(arr(fc['filters']).map(rec))]);
    }
    const def = rec(l['defaultFilterChain']);
    if (l['defaultFilterChain'] !== undefined) rows.push([address, port, 'ALL', chainDestination(arr(def['filters']).map(rec))]);
  }
  return formatTable(['ADDRESS', 'PORT', 'MATCH', 'DESTINATION'], rows);
}

/** `details, details.default + 3 more...` as istioctl abbreviates domains. */
function domainsCell(domains: string[]): string {
  if (domains.length <= 2) return domains.join(', ') || '-';
  // Names read better than the service IP; istioctl also shows the short ones first.
  const named = domains.filter((d) => !/^[\d.]+$/.test(d) && !d.includes(':'));
  const pool = named.length >= 2 ? named : domains;
  const shortest = [...pool].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).slice(0, 2);
  return `${shortest.join(', ')} + ${domains.length - 2} more...`;
}

function routeMatch(m: Json): string {
  let path = '/*';
  if (typeof m['prefix'] === 'string') path = m['prefix'] === '/' ? '/*' : `${m['prefix']}*`;
  else if (typeof m['path'] === 'string') path = m['path'];
  else if (m['safeRegex'] !== undefined) path = `regex ${str(rec(m['safeRegex'])['regex'])}`;
  else if (typeof m['pathSeparatedPrefix'] === 'string') path = `${m['pathSeparatedPrefix']}/*`;
  // istioctl shows the path only; two routes that differ by header would look the same.
  const headers = arr(m['headers']).map((h) => str(rec(h)['name']));
  return headers.length ? `${path} (headers: ${headers.join(',')})` : path;
}

export function routesTable(dump: unknown, configz: unknown): string {
  const rows: string[][] = [];
  for (const rc of resourcesOf(dump, 'routes')) {
    for (const vh of arr(rc['virtualHosts']).map(rec)) {
      const vhName = str(vh['name']);
      const host = splitHostPort(vhName)?.host;
      const vs = host ? ownerOf(configz, 'VirtualService', host, vsHosts) : '-';
      for (const r of arr(vh['routes']).map(rec)) {
        // Routes we generate without a VirtualService are named "default" (or allow_any).
        const fromVs = vs !== '-' && r['name'] !== 'default' && r['name'] !== 'allow_any';
        rows.push([str(rc['name']), vhName, domainsCell(arr(vh['domains']).map((d) => str(d))), routeMatch(rec(r['match'])), fromVs ? vs : '-']);
      }
    }
  }
  return formatTable(['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'], rows);
}

export function endpointsTable(dump: unknown): string {
  const rows: string[][] = [];
  for (const cla of resourcesOf(dump, 'endpoints')) {
    for (const loc of arr(cla['endpoints']).map(rec)) {
      for (const lb of arr(loc['lbEndpoints']).map(rec)) {
        const sock = rec(rec(rec(lb['endpoint'])['address'])['socketAddress']);
        // Outlier detection is Envoy's state, not ours: we only know what we sent.
        rows.push([`${str(sock['address'])}:${str(sock['portValue'])}`, str(lb['healthStatus'], 'UNKNOWN'), 'OK', str(cla['clusterName'])]);
      }
    }
  }
  return formatTable(['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'], rows.sort(byColumns));
}
