// VirtualService delegation (Istio's mergeVirtualServicesIfNeeded): a root VirtualService's
// http route with `delegate` is replaced by the delegate's routes, each with its matches
// narrowed to the root's and the root's fields filling what the delegate leaves unset.
// A delegate route whose matches conflict with every root match is dropped, as in Istio.
import type { HTTPMatchRequest, HTTPRoute, StringMatch } from '../model/istio-types.js';
import type { TranslateContext } from './context.js';
import { objectRef } from './context.js';
import type { VirtualService } from './http-route.js';

/** One http route ready to translate, with the object and path warnings should name. */
export interface ExpandedRoute {
  http: HTTPRoute;
  /** The VirtualService the route was written in (the delegate, for delegated routes). */
  vs: VirtualService;
  path: string;
}

/** Istio's stringMatchConflict: can the leaf match only requests the root also matches? */
function stringMatchConflict(root: StringMatch | undefined, leaf: StringMatch | undefined): boolean {
  if (!root || !leaf) return false;
  if ('regex' in root || 'regex' in leaf) return true;
  if ('exact' in root) return !('exact' in leaf) || leaf.exact !== root.exact;
  return !('prefix' in leaf ? leaf.prefix : leaf.exact).startsWith(root.prefix);
}

function mapConflict(root: Record<string, StringMatch> | undefined, leaf: Record<string, StringMatch> | undefined): boolean {
  return Object.entries(leaf ?? {}).some(([k, v]) => stringMatchConflict(root?.[k], v));
}

function hasConflict(root: HTTPMatchRequest, leaf: HTTPMatchRequest): boolean {
  for (const f of ['uri', 'scheme', 'method', 'authority'] as const) if (stringMatchConflict(root[f], leaf[f])) return true;
  if (mapConflict(root.headers, leaf.headers) || mapConflict(root.withoutHeaders, leaf.withoutHeaders) || mapConflict(root.queryParams, leaf.queryParams)) return true;
  if ((root.ignoreUriCase ?? false) !== (leaf.ignoreUriCase ?? false)) return true;
  if (root.port !== undefined && leaf.port !== undefined && root.port !== leaf.port) return true;
  if (root.sourceNamespace !== undefined && leaf.sourceNamespace !== root.sourceNamespace) return true;
  for (const [k, v] of Object.entries(leaf.sourceLabels ?? {})) if (root.sourceLabels?.[k] !== undefined && root.sourceLabels[k] !== v) return true;
  if (root.gateways?.length && leaf.gateways?.length) return leaf.gateways.some((g) => !root.gateways!.includes(g));
  return false;
}

function joinName(root: string | undefined, leaf: string | undefined): string | undefined {
  if (!leaf) return root;
  return root ? `${root}-${leaf}` : leaf;
}

function mergeMatch(root: HTTPMatchRequest, leaf: HTTPMatchRequest): HTTPMatchRequest {
  const out: HTTPMatchRequest = { ...leaf };
  const name = joinName(root.name, leaf.name);
  if (name !== undefined) out.name = name;
  for (const f of ['uri', 'scheme', 'method', 'authority'] as const) if (out[f] === undefined && root[f] !== undefined) out[f] = root[f];
  for (const f of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    if (root[f] || leaf[f]) out[f] = { ...root[f], ...leaf[f] };
  }
  if (root.sourceLabels || leaf.sourceLabels) out.sourceLabels = { ...root.sourceLabels, ...leaf.sourceLabels };
  if (out.port === undefined && root.port !== undefined) out.port = root.port;
  if (out.sourceNamespace === undefined && root.sourceNamespace !== undefined) out.sourceNamespace = root.sourceNamespace;
  if (!out.gateways?.length && root.gateways) out.gateways = root.gateways;
  if (out.ignoreUriCase === undefined && root.ignoreUriCase !== undefined) out.ignoreUriCase = root.ignoreUriCase;
  return out;
}

/** Istio's mergeHTTPMatchRequests; undefined = conflict (the delegate route is dropped). */
function mergeMatches(root: HTTPMatchRequest[] | undefined, leaf: HTTPMatchRequest[] | undefined): HTTPMatchRequest[] | undefined {
  if (!root?.length) return leaf;
  if (!leaf?.length) return root;
  const out: HTTPMatchRequest[] = [];
  for (const l of leaf) {
    const merged = root.filter((r) => !hasConflict(r, l)).map((r) => mergeMatch(r, l));
    if (merged.length === 0) return undefined;
    out.push(...merged);
  }
  return out;
}

const INHERITED = ['rewrite', 'directResponse', 'timeout', 'retries', 'fault', 'mirror', 'mirrors', 'mirrorPercentage', 'mirrorPercent', 'corsPolicy', 'headers'] as const;

function mergeRoute(root: HTTPRoute, leaf: HTTPRoute): HTTPRoute | undefined {
  const match = mergeMatches(root.match, leaf.match);
  if (match === undefined) return undefined;
  const out: HTTPRoute = { ...leaf };
  if (match.length > 0) out.match = match;
  const name = joinName(root.name, leaf.name);
  if (name !== undefined) out.name = name;
  const target = out as Record<string, unknown>;
  for (const f of INHERITED) if (out[f] === undefined && root[f] !== undefined) target[f] = root[f];
  return out;
}

/** The http routes of `vs` with every delegate expanded. */
export function expandDelegates(ctx: TranslateContext, vs: VirtualService): ExpandedRoute[] {
  const out: ExpandedRoute[] = [];
  (vs.spec.http ?? []).forEach((http, i) => {
    const path = `spec.http[${i}]`;
    if (!http.delegate) {
      out.push({ http, vs, path });
      return;
    }
    const ns = http.delegate.namespace ?? vs.metadata.namespace;
    const delegate = (ctx.push.virtualServices ?? []).find((d) => d.metadata.namespace === ns && d.metadata.name === http.delegate!.name);
    const warnRoot = (message: string): void => ctx.warn({ object: objectRef(vs), field: `${path}.delegate`, message });
    if (!delegate) return warnRoot(`Referenced VirtualService not found: "${ns}/${http.delegate.name}"; route skipped`);
    if (delegate.spec.hosts?.length) return warnRoot(`delegate ${ns}/${http.delegate.name} has hosts; a delegate must not (route skipped)`);
    if (!isExportedTo(delegate, vs.metadata.namespace)) return warnRoot(`delegate ${ns}/${http.delegate.name} is not exported to namespace ${vs.metadata.namespace}; route skipped`);
    (delegate.spec.http ?? []).forEach((leaf, j) => {
      const leafPath = `spec.http[${j}]`;
      const warnLeaf = (message: string): void => ctx.warn({ object: objectRef(delegate), field: leafPath, message });
      // Istio allows one level of delegation only.
      if (leaf.delegate) return warnLeaf('a delegate VirtualService cannot delegate further; route skipped');
      const merged = mergeRoute(http, leaf);
      if (!merged) return warnLeaf(`matches conflict with every match of the root ${objectRef(vs)} ${path}; route skipped`);
      out.push({ http: merged, vs: delegate, path: leafPath });
    });
  });
  return out;
}

function isExportedTo(vs: VirtualService, namespace: string): boolean {
  const e = vs.spec.exportTo;
  if (!e || e.length === 0) return true;
  return e.some((x) => x === '*' || x === namespace || (x === '.' && vs.metadata.namespace === namespace));
}
