// VirtualService HTTPMatchRequest → Envoy RouteMatch, and the per-proxy applicability of
// a match (port, sourceLabels, sourceNamespace, gateways) that Istio evaluates when it
// builds a sidecar's routes rather than in Envoy.
import type { HTTPMatchRequest, StringMatch } from '../model/istio-types.js';
import type { Proxy } from './proxy.js';
import { compareStrings } from './context.js';
import type { HeaderMatcher, QueryParameterMatcher, RouteMatch, StringMatcher } from './envoy-types.js';

export const MESH_GATEWAY = 'mesh';

function stringMatcher(m: StringMatch): StringMatcher {
  if ('exact' in m) return { exact: m.exact };
  if ('prefix' in m) return { prefix: m.prefix };
  return { safeRegex: { regex: m.regex } };
}

/** Header matchers sorted by name (Istio sorts them; input map order must not matter). */
function headerMatchers(headers: Record<string, StringMatch> | undefined, invert: boolean): HeaderMatcher[] {
  return Object.keys(headers ?? {})
    .sort(compareStrings)
    .map((name) => {
      const h: HeaderMatcher = { name, stringMatch: stringMatcher(headers![name]!) };
      if (invert) h.invertMatch = true;
      return h;
    });
}

/** The Envoy match for one Istio match; undefined `m` is the catch-all prefix "/". */
export function translateRouteMatch(m: HTTPMatchRequest | undefined): RouteMatch {
  let out: RouteMatch;
  const uri = m?.uri;
  if (!uri) out = { prefix: '/' };
  else if ('exact' in uri) out = { path: uri.exact };
  else if ('prefix' in uri) out = { prefix: uri.prefix };
  else out = { safeRegex: { regex: uri.regex } };
  if (!m) return out;
  if (m.ignoreUriCase) out.caseSensitive = false;

  const headers = [...headerMatchers(m.headers, false), ...headerMatchers(m.withoutHeaders, true)];
  // Pseudo-headers go where Istio puts them, after the regular ones.
  const pseudo: [string, StringMatch | undefined][] = [
    [':authority', m.authority],
    [':method', m.method],
    [':scheme', m.scheme],
  ];
  for (const [name, sm] of pseudo) if (sm) headers.push({ name, stringMatch: stringMatcher(sm) });
  if (headers.length > 0) out.headers = headers;

  const qp: QueryParameterMatcher[] = Object.keys(m.queryParams ?? {})
    .sort(compareStrings)
    .map((name) => ({ name, stringMatch: stringMatcher(m.queryParams![name]!) }));
  if (qp.length > 0) out.queryParameters = qp;
  return out;
}

/** A route that matches every request: prefix "/" and nothing else. */
export function isCatchAll(match: RouteMatch): boolean {
  return 'prefix' in match && match.prefix === '/' && !match.headers && !match.queryParameters;
}

/**
 * Whether an Istio match applies to this proxy on this listener port. Istio filters
 * matches per proxy: `port`, `sourceLabels`, `sourceNamespace` and `gateways` never reach
 * Envoy. `vsGateways` are the VirtualService's gateways (default ["mesh"]).
 */
export function matchAppliesTo(m: HTTPMatchRequest, proxy: Proxy, port: number, vsGateways: readonly string[]): boolean {
  if (m.port !== undefined && m.port !== port) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== proxy.namespace) return false;
  for (const [k, v] of Object.entries(m.sourceLabels ?? {})) if (proxy.labels[k] !== v) return false;
  const gateways = m.gateways && m.gateways.length > 0 ? m.gateways : vsGateways;
  return gateways.includes(MESH_GATEWAY);
}

/** The VirtualService's gateways, Istio's default being the mesh (all sidecars). */
export function vsGateways(gateways: readonly string[] | undefined): readonly string[] {
  return gateways && gateways.length > 0 ? gateways : [MESH_GATEWAY];
}
