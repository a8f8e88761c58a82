// VirtualService HTTPMatchRequest → Envoy RouteMatch, and the per-proxy applicability of
// a match (port, sourceLabels, sourceNamespace, gateways) that Istio evaluates when it
// builds a sidecar's routes rather than in Envoy.
import type { HTTPMatchRequest, L4MatchAttributes, StringMatch } from '../model/istio-types.js';
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
 * Envoy. `vsGateways` are the VirtualService's gateways, resolved (default ["mesh"]);
 * `contexts` the gateways the route table is built for: {"mesh"} for sidecars and gRPC,
 * {"ns/name"} for a gateway's server.
 */
export function matchAppliesTo(
  m: HTTPMatchRequest | L4MatchAttributes,
  proxy: Proxy,
  port: number,
  vsGateways: readonly string[],
  contexts: ReadonlySet<string>,
  vsNamespace: string,
): boolean {
  if (m.port !== undefined && m.port !== port) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== proxy.namespace) return false;
  for (const [k, v] of Object.entries(m.sourceLabels ?? {})) if (proxy.labels[k] !== v) return false;
  const gateways = m.gateways && m.gateways.length > 0 ? resolveGateways(m.gateways, vsNamespace) : vsGateways;
  return gateways.some((g) => contexts.has(g));
}

/**
 * Istio's resolveGatewayName: `mesh` stays, `name` is in the VirtualService's namespace,
 * `./name` too, `ns/name` is taken as is, and the legacy FQDN `name.ns.svc...` is `ns/name`.
 */
export function resolveGatewayName(g: string, namespace: string): string {
  if (g === MESH_GATEWAY) return g;
  const slash = g.indexOf('/');
  if (slash >= 0) return g.slice(0, slash) === '.' ? `${namespace}/${g.slice(slash + 1)}` : g;
  const dot = g.indexOf('.');
  if (dot < 0) return `${namespace}/${g}`;
  const rest = g.slice(dot + 1);
  const ns = rest.includes('.') ? rest.slice(0, rest.indexOf('.')) : rest;
  return `${ns}/${g.slice(0, dot)}`;
}

export function resolveGateways(gateways: readonly string[], namespace: string): string[] {
  return gateways.map((g) => resolveGatewayName(g, namespace));
}

/** The VirtualService's gateways, resolved; Istio's default being the mesh (all sidecars). */
export function vsGateways(gateways: readonly string[] | undefined, namespace: string): readonly string[] {
  return gateways && gateways.length > 0 ? resolveGateways(gateways, namespace) : [MESH_GATEWAY];
}

/** The route-table context of sidecars and proxyless gRPC clients. */
export const MESH_CONTEXT: ReadonlySet<string> = new Set([MESH_GATEWAY]);

/** HeaderMatcher with the pre-string_match oneof fields (deprecated, still in the v3 proto). */
type LegacyHeaderMatcher = { name: string; invertMatch?: boolean } & (
  | { exactMatch: string }
  | { prefixMatch: string }
  | { safeRegexMatch: { regex: string } }
);

/**
 * gRPC C-core before 1.5x (Debian's python3-grpcio 1.51) NACKs a header matcher that
 * uses `string_match` ("Invalid route header matcher specified"); every gRPC version
 * reads the older `exact_match` / `prefix_match` / `safe_regex_match`, so proxyless
 * clients get those. Envoy gets `string_match`, as Istio sends.
 */
export function grpcCompatibleMatch(match: RouteMatch): RouteMatch {
  if (!match.headers) return match;
  const headers = match.headers.map((h): LegacyHeaderMatcher => {
    const base = h.invertMatch ? { name: h.name, invertMatch: true } : { name: h.name };
    const sm = h.stringMatch;
    if ('exact' in sm) return { ...base, exactMatch: sm.exact };
    if ('prefix' in sm) return { ...base, prefixMatch: sm.prefix };
    return { ...base, safeRegexMatch: { regex: sm.safeRegex.regex } };
  });
  // The spine's HeaderMatcher type declares string_match only; the codec checks the real shape.
  return { ...match, headers: headers as unknown as HeaderMatcher[] };
}
