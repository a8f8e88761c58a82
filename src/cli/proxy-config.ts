// `mini-istiod proxy-config clusters|listeners|routes|endpoints PROXY`: what one connected
// proxy holds, as istioctl's tables, or the raw resources with -o json|yaml. PROXY may be
// the node id, `pod.namespace`, the pod name or a unique prefix of any of them.
import { stringify } from 'yaml';
import { matchProxy } from '../debug/proxy-info.js';
import { DebugApiError, arr, getJson, rec, str } from './debug-client.js';
import { clustersTable, endpointsTable, listenersTable, resourcesOf, routesTable, type ConfigType } from './proxy-config-tables.js';

export const CONFIG_TYPES: Record<string, ConfigType> = {
  cluster: 'clusters', clusters: 'clusters', c: 'clusters',
  listener: 'listeners', listeners: 'listeners', l: 'listeners',
  route: 'routes', routes: 'routes', r: 'routes',
  endpoint: 'endpoints', endpoints: 'endpoints', ep: 'endpoints',
};

export interface ProxyConfigFlags {
  server: string;
  output: 'table' | 'json' | 'yaml';
}

/** The node id a user's PROXY names, among the connected ones. */
export async function resolveProxy(server: string, query: string): Promise<string> {
  const ids = arr(await getJson(server, '/debug/syncz')).map((r) => str(rec(r)['proxy']));
  const m = matchProxy(query, ids);
  if ('id' in m) return m.id;
  if (m.matches.length === 0) throw new DebugApiError(`no connected proxy matches "${query}" (see mini-istiod proxy-status)`);
  throw new DebugApiError(`"${query}" matches ${m.matches.length} proxies, be more specific:\n  ${m.matches.join('\n  ')}`);
}

export async function proxyConfig(typeArg: string, query: string, flags: ProxyConfigFlags): Promise<string> {
  const type = CONFIG_TYPES[typeArg];
  if (!type) throw new DebugApiError(`unknown config type "${typeArg}": expected clusters, listeners, routes or endpoints`);
  const id = await resolveProxy(flags.server, query);
  const dump = await getJson(flags.server, `/debug/config_dump?proxyID=${encodeURIComponent(id)}`);
  if (flags.output === 'json') return `${JSON.stringify(resourcesOf(dump, type), null, 2)}\n`;
  if (flags.output === 'yaml') return stringify(resourcesOf(dump, type), { lineWidth: 0 });
  switch (type) {
    case 'clusters':
      return clustersTable(dump, await getJson(flags.server, '/debug/configz'));
    case 'routes':
      return routesTable(dump, await getJson(flags.server, '/debug/configz'));
    case 'listeners':
      return listenersTable(dump);
    case 'endpoints':
      return endpointsTable(dump);
  }
}

export async function runProxyConfig(type: string, proxy: string, flags: ProxyConfigFlags): Promise<void> {
  process.stdout.write(await proxyConfig(type, proxy, flags));
}
