// The non-destination parts of a VirtualService http route, as Istio translates them:
// redirect, directResponse, rewrite, header operations and mirrors. Each helper is a
// pure function of the Istio field (and the match, for rewrites) that returns the Envoy
// fields to set; problems go to `warn(field, message)`.
import type { Headers, HeaderOperations, HTTPMatchRequest, HTTPRoute, HTTPRewrite } from '../model/istio-types.js';
import { compareStrings } from './context.js';
import { fractionalPercent } from './fault.js';
import type {
  DirectResponseAction,
  HeaderOps,
  HeaderValueOption,
  RedirectAction,
  RedirectResponseCode,
  RequestMirrorPolicy,
  RouteActionX,
} from './route-types.js';
import type { Destination } from '../model/istio-types.js';

export type Warn = (field: string, message: string) => void;

const REDIRECT_CODES: Readonly<Record<number, RedirectResponseCode>> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

/** Istio's redirect: uri → path_redirect, authority → host_redirect, 301 unless told. */
export function redirectAction(http: HTTPRoute, listenerPort: number, warn: Warn): RedirectAction | undefined {
  const r = http.redirect;
  if (!r) return undefined;
  const out: RedirectAction = {};
  if (r.scheme === 'https') out.httpsRedirect = true;
  else if (r.scheme) out.schemeRedirect = r.scheme;
  if (r.authority) out.hostRedirect = r.authority;
  if (r.port !== undefined) out.portRedirect = r.port;
  // FROM_REQUEST_PORT: Istio writes the listener's port, which is the request's port.
  else if (r.derivePort === 'FROM_REQUEST_PORT') out.portRedirect = listenerPort;
  if (r.uri) out.pathRedirect = r.uri;
  const code = r.redirectCode ?? 301;
  const name = REDIRECT_CODES[code];
  if (!name) {
    warn('redirect.redirectCode', `redirect code ${code} is not one of 301, 302, 303, 307, 308; using 301`);
  } else if (name !== 'MOVED_PERMANENTLY') {
    out.responseCode = name;
  }
  return out;
}

/** directResponse: status and an inline body (string, or base64 bytes as Istio's API gives them). */
export function directResponseAction(http: HTTPRoute): DirectResponseAction | undefined {
  const d = http.directResponse;
  if (!d) return undefined;
  const out: DirectResponseAction = { status: d.status };
  if (d.body?.string !== undefined) out.body = { inlineString: d.body.string };
  else if (d.body?.bytes !== undefined) out.body = { inlineBytes: d.body.bytes };
  return out;
}

/** RE2 escape of a literal path, for the exact-match rewrite below. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * rewrite.uri is a prefix rewrite, except after an exact-path match: a prefix rewrite of
 * the whole path would keep nothing to append to, so (as Istio) the full path is replaced
 * with a regex rewrite anchored on the exact path. uriRegexRewrite maps one to one.
 */
export function rewriteFields(rw: HTTPRewrite | undefined, m: HTTPMatchRequest | undefined): Pick<RouteActionX, 'prefixRewrite' | 'regexRewrite' | 'hostRewriteLiteral'> {
  const out: Pick<RouteActionX, 'prefixRewrite' | 'regexRewrite' | 'hostRewriteLiteral'> = {};
  if (!rw) return out;
  if (rw.uriRegexRewrite) {
    out.regexRewrite = { pattern: { regex: rw.uriRegexRewrite.match }, substitution: rw.uriRegexRewrite.rewrite };
  } else if (rw.uri !== undefined && rw.uri !== '') {
    const exact = m?.uri && 'exact' in m.uri ? m.uri.exact : undefined;
    if (exact !== undefined) out.regexRewrite = { pattern: { regex: `^${quoteMeta(exact)}$` }, substitution: rw.uri };
    else out.prefixRewrite = rw.uri;
  }
  if (rw.authority) out.hostRewriteLiteral = rw.authority;
  return out;
}

function headerOptions(ops: HeaderOperations | undefined): HeaderValueOption[] {
  const out: HeaderValueOption[] = [];
  // set before add, each sorted by name: input map order must not change the output.
  for (const k of Object.keys(ops?.set ?? {}).sort(compareStrings)) {
    out.push({ header: { key: k, value: ops!.set![k]! }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' });
  }
  for (const k of Object.keys(ops?.add ?? {}).sort(compareStrings)) {
    out.push({ header: { key: k, value: ops!.add![k]! }, appendAction: 'APPEND_IF_EXISTS_OR_ADD' });
  }
  return out;
}

/** Istio's header operations: set → OVERWRITE_IF_EXISTS_OR_ADD, add → APPEND_IF_EXISTS_OR_ADD. */
export function headerOps(h: Headers | undefined): HeaderOps {
  const out: HeaderOps = {};
  const reqAdd = headerOptions(h?.request);
  if (reqAdd.length > 0) out.requestHeadersToAdd = reqAdd;
  if (h?.request?.remove?.length) out.requestHeadersToRemove = [...h.request.remove];
  const resAdd = headerOptions(h?.response);
  if (resAdd.length > 0) out.responseHeadersToAdd = resAdd;
  if (h?.response?.remove?.length) out.responseHeadersToRemove = [...h.response.remove];
  return out;
}

/** Appends `more` to `base`, list by list (route-level ops, then a single destination's). */
export function mergeHeaderOps(base: HeaderOps, more: HeaderOps): HeaderOps {
  const out: HeaderOps = { ...base };
  for (const k of ['requestHeadersToAdd', 'responseHeadersToAdd'] as const) {
    if (more[k]) out[k] = [...(out[k] ?? []), ...more[k]];
  }
  for (const k of ['requestHeadersToRemove', 'responseHeadersToRemove'] as const) {
    if (more[k]) out[k] = [...(out[k] ?? []), ...more[k]];
  }
  return out;
}

/**
 * Mirrors: `mirrors[]` (each with its own percentage), else the single `mirror` with
 * `mirrorPercentage` (or the v1alpha3 integer `mirrorPercent`); 100 % when unset.
 */
export function mirrorPolicies(http: HTTPRoute, clusterOf: (d: Destination, field: string) => string): RequestMirrorPolicy[] {
  const out: RequestMirrorPolicy[] = [];
  const policy = (cluster: string, value: number): RequestMirrorPolicy => ({
    cluster,
    runtimeFraction: { defaultValue: fractionalPercent({ value }, undefined) },
    traceSampled: false,
  });
  if (http.mirrors && http.mirrors.length > 0) {
    http.mirrors.forEach((m, i) => out.push(policy(clusterOf(m.destination, `mirrors[${i}].destination`), m.percentage?.value ?? 100)));
  } else if (http.mirror) {
    out.push(policy(clusterOf(http.mirror, 'mirror'), http.mirrorPercentage?.value ?? http.mirrorPercent ?? 100));
  }
  return out;
}
