// A route-table simulator: given the resources one proxy received (generateAll output) and
// a request, walk them the way Envoy does — LDS listener by port (a sidecar's
// virtualOutbound hands off to the listener of the original destination), filter chain
// by filter_chain_match, HCM → RDS by name, virtual host by Envoy's domain rules, the
// first route whose match holds — and report what Envoy would do. It reads only the
// proto3 JSON we emit, so it proves the tables route, not just that they are well formed.
import type { Resource } from '../../src/translate/api.js';
import { TypeUrl } from '../../src/translate/api.js';

export interface SimRequest {
  port: number;
  /** Original destination IP (sidecars: the service's cluster IP). */
  destinationIp?: string;
  /** Host / :authority (HTTP). */
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** TLS: the ClientHello's SNI; `tls` true means the connection is TLS. */
  sni?: string;
  tls?: boolean;
  /** Scheme for requireTls ("http" unless tls). */
}

type Json = Record<string, unknown>;

export interface SimResult {
  listener: string;
  filterChain: string | number;
  /** tcp_proxy or HCM. */
  kind: 'tcp' | 'http' | 'none';
  routeConfig?: string;
  virtualHost?: string;
  route?: string;
  cluster?: string;
  weightedClusters?: { name: string; weight: number }[];
  redirect?: Json;
  directResponse?: Json;
  mirrors?: string[];
  cors?: Json;
  fault?: Json;
  /** The whole matched route, for anything else a test wants to look at. */
  raw?: Json;
  /** Why nothing matched, when nothing did. */
  error?: string;
}

const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

function bodies(resources: readonly Resource[], t: string): Json[] {
  return resources.filter((r) => r.typeUrl === t).map((r) => r.body);
}

function listenerPort(l: Json): number | undefined {
  return obj(obj(l['address'])['socketAddress'])['portValue'] as number | undefined;
}
function listenerAddress(l: Json): string {
  return String(obj(obj(l['address'])['socketAddress'])['address'] ?? '');
}

/** Envoy's original-destination hand-off: exact address first, then the wildcard. */
function pickListener(listeners: Json[], req: SimRequest): Json | undefined {
  const onPort = listeners.filter((l) => listenerPort(l) === req.port && l['useOriginalDst'] !== true);
  return onPort.find((l) => listenerAddress(l) === req.destinationIp) ?? onPort.find((l) => listenerAddress(l) === '0.0.0.0') ??
    listeners.find((l) => l['name'] === 'virtualOutbound') ??
    listeners.find((l) => l['useOriginalDst'] === true && l['trafficDirection'] === 'OUTBOUND');
}

function ipInRange(ip: string, r: Json): boolean {
  const toBits = (a: string): string => a.split('.').map((x) => Number(x).toString(2).padStart(8, '0')).join('');
  const len = Number(r['prefixLen'] ?? 32);
  return toBits(ip).slice(0, len) === toBits(String(r['addressPrefix'])).slice(0, len);
}

function sniMatches(pattern: string, sni: string): boolean {
  return pattern === sni || (pattern.startsWith('*.') && sni.endsWith(pattern.slice(1)));
}

/**
 * Envoy's filter chain selection, criterion by criterion: chains that name a criterion
 * and match it beat chains that leave it out; chains that name it and miss are out.
 */
function pickChain(chains: Json[], req: SimRequest): Json | undefined {
  let cands = chains;
  const stage = (has: (m: Json) => boolean, ok: (m: Json) => boolean): void => {
    const specific = cands.filter((c) => has(obj(c['filterChainMatch'])) && ok(obj(c['filterChainMatch'])));
    cands = specific.length > 0 ? specific : cands.filter((c) => !has(obj(c['filterChainMatch'])));
  };
  stage((m) => m['destinationPort'] !== undefined, (m) => m['destinationPort'] === req.port);
  stage((m) => arr(m['prefixRanges']).length > 0, (m) => !!req.destinationIp && arr(m['prefixRanges']).some((r) => ipInRange(req.destinationIp!, r)));
  stage(
    (m) => arr(m['serverNames']).length > 0,
    (m) => !!req.sni && (m['serverNames'] as string[]).some((p) => sniMatches(p, req.sni!)),
  );
  // Exact server names beat wildcards.
  const exact = cands.filter((c) => ((obj(c['filterChainMatch'])['serverNames'] as string[] | undefined) ?? []).includes(req.sni ?? '\u0000'));
  if (exact.length > 0) cands = exact;
  stage((m) => m['transportProtocol'] !== undefined, (m) => m['transportProtocol'] === (req.tls ? 'tls' : 'raw_buffer'));
  return cands[0];
}

/** Envoy's virtual host choice: exact, longest suffix wildcard, longest prefix wildcard, "*". */
export function pickVirtualHost(vhosts: Json[], host: string): Json | undefined {
  const h = host.toLowerCase();
  const domains = (v: Json): string[] => (v['domains'] as string[]).map((d) => d.toLowerCase());
  const exact = vhosts.find((v) => domains(v).includes(h));
  if (exact) return exact;
  let best: [number, Json] | undefined;
  for (const v of vhosts) {
    for (const d of domains(v)) {
      if (d !== '*' && d.startsWith('*') && h.endsWith(d.slice(1)) && h.length > d.length - 1 && (!best || d.length > best[0])) best = [d.length, v];
    }
  }
  if (best) return best[1];
  for (const v of vhosts) {
    for (const d of domains(v)) {
      if (d !== '*' && d.endsWith('*') && h.startsWith(d.slice(0, -1)) && (!best || d.length > best[0])) best = [d.length, v];
    }
  }
  if (best) return best[1];
  return vhosts.find((v) => domains(v).includes('*'));
}

function stringMatch(m: Json, value: string | undefined): boolean {
  if (value === undefined) return false;
  const ic = m['ignoreCase'] === true;
  const v = ic ? value.toLowerCase() : value;
  const lc = (s: unknown): string => (ic ? String(s).toLowerCase() : String(s));
  if ('exact' in m) return v === lc(m['exact']);
  if ('prefix' in m) return v.startsWith(lc(m['prefix']));
  if ('suffix' in m) return v.endsWith(lc(m['suffix']));
  if ('contains' in m) return v.includes(lc(m['contains']));
  if ('safeRegex' in m) return new RegExp(`^(?:${String(obj(m['safeRegex'])['regex'])})$`).test(value);
  return true;
}

function headerValue(req: SimRequest, name: string): string | undefined {
  if (name === ':authority') return req.host;
  if (name === ':method') return req.method ?? 'GET';
  if (name === ':scheme') return req.tls ? 'https' : 'http';
  if (name === ':path') return req.path ?? '/';
  const k = Object.keys(req.headers ?? {}).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : req.headers![k];
}

function routeMatches(match: Json, req: SimRequest): boolean {
  const full = req.path ?? '/';
  const q = full.indexOf('?');
  const path = q >= 0 ? full.slice(0, q) : full;
  const query = new URLSearchParams(q >= 0 ? full.slice(q + 1) : '');
  const cs = match['caseSensitive'] !== false;
  const norm = (s: string): string => (cs ? s : s.toLowerCase());
  if ('prefix' in match && !norm(path).startsWith(norm(String(match['prefix'])))) return false;
  if ('path' in match && norm(path) !== norm(String(match['path']))) return false;
  if ('safeRegex' in match && !new RegExp(`^(?:${String(obj(match['safeRegex'])['regex'])})$`, cs ? '' : 'i').test(path)) return false;
  for (const h of arr(match['headers'])) {
    const value = headerValue(req, String(h['name']));
    let ok: boolean;
    if ('presentMatch' in h) ok = value !== undefined;
    else if (h['stringMatch']) ok = stringMatch(obj(h['stringMatch']), value);
    else ok = value !== undefined;
    // Envoy: invert_match flips the result, and a missing header never matches a value
    // matcher (so inverted, it does).
    if (h['invertMatch'] === true) ok = !ok;
    if (!ok) return false;
  }
  for (const p of arr(match['queryParameters'])) {
    const value = query.get(String(p['name'])) ?? undefined;
    const ok = 'presentMatch' in p ? value !== undefined : stringMatch(obj(p['stringMatch']), value);
    if (!ok) return false;
  }
  return true;
}

function describeRoute(base: SimResult, route: Json): SimResult {
  const out: SimResult = { ...base, raw: route };
  if (route['name'] !== undefined) out.route = String(route['name']);
  const action = obj(route['route']);
  if (route['route']) {
    if (action['cluster']) out.cluster = String(action['cluster']);
    const wc = arr(obj(action['weightedClusters'])['clusters']);
    if (wc.length > 0) out.weightedClusters = wc.map((c) => ({ name: String(c['name']), weight: Number(c['weight']) }));
    const mirrors = arr(action['requestMirrorPolicies']).map((m) => String(m['cluster']));
    if (mirrors.length > 0) out.mirrors = mirrors;
  }
  if (route['redirect']) out.redirect = obj(route['redirect']);
  if (route['directResponse']) out.directResponse = obj(route['directResponse']);
  const pf = obj(route['typedPerFilterConfig']);
  if (pf['envoy.filters.http.cors']) out.cors = obj(pf['envoy.filters.http.cors']);
  if (pf['envoy.filters.http.fault']) out.fault = obj(pf['envoy.filters.http.fault']);
  return out;
}

/** Routes one request through one proxy's resources. */
export function simulate(resources: readonly Resource[], req: SimRequest): SimResult {
  const listener = pickListener(bodies(resources, TypeUrl.Listener), req);
  if (!listener) return { listener: '', filterChain: '', kind: 'none', error: `no listener for port ${req.port}` };
  const chains = arr(listener['filterChains']);
  const chain = pickChain(chains, req);
  const base: SimResult = { listener: String(listener['name']), filterChain: '', kind: 'none' };
  if (!chain) return { ...base, error: 'no filter chain matches' };
  base.filterChain = chain['name'] !== undefined ? String(chain['name']) : chains.indexOf(chain);
  const filter = arr(chain['filters'])[0] ?? {};
  const cfg = obj(filter['typedConfig']);
  if (filter['name'] === 'envoy.filters.network.tcp_proxy') {
    const out: SimResult = { ...base, kind: 'tcp' };
    if (cfg['cluster']) out.cluster = String(cfg['cluster']);
    const wc = arr(obj(cfg['weightedClusters'])['clusters']);
    if (wc.length > 0) out.weightedClusters = wc.map((c) => ({ name: String(c['name']), weight: Number(c['weight']) }));
    return out;
  }
  const rdsName = String(obj(cfg['rds'])['routeConfigName'] ?? '');
  const rc = bodies(resources, TypeUrl.RouteConfiguration).find((r) => r['name'] === rdsName);
  const http: SimResult = { ...base, kind: 'http', routeConfig: rdsName };
  if (!rc) return { ...http, error: `route configuration ${rdsName} not sent` };
  let host = req.host ?? '';
  if (rc['ignorePortInHostMatching'] === true) host = host.replace(/:\d+$/, '');
  const vh = pickVirtualHost(arr(rc['virtualHosts']), host);
  if (!vh) return { ...http, error: `no virtual host for ${host}` };
  http.virtualHost = String(vh['name']);
  if (vh['requireTls'] === 'ALL' && !req.tls) return { ...http, redirect: { httpsRedirect: true } };
  const route = arr(vh['routes']).find((r) => routeMatches(obj(r['match']), req));
  if (!route) return { ...http, error: 'no route matches (404)' };
  return describeRoute(http, route);
}
