// VirtualService `http` routes → Envoy routes for one host and port. Several
// VirtualServices for a host are merged in the order PushContext gives them (Istio's
// creation order), delegates expanded in place; routing stops at the first catch-all, as
// in Istio, because Envoy would never reach what follows. The same builder serves sidecars
// and gRPC (context "mesh") and gateways (context "ns/name" of the gateway's server).
import type { ConfigObject } from '../model/config.js';
import { hashPolicyFor, type HashPolicy } from './dr-hash-policy.js';
import type { Destination, HTTPMatchRequest, HTTPRetry, HTTPRoute } from '../model/istio-types.js';
import { resolveHost } from '../model/references.js';
import type { TranslateContext } from './context.js';
import { objectRef } from './context.js';
import { findSubset } from './destination-rule.js';
import { toProtoDuration } from './duration.js';
import type { RetryPolicy, RouteAction, RouteMatch } from './envoy-types.js';
import { convertFault, type FaultProblem } from './fault.js';
import { FAULT_FILTER, outboundClusterName } from './names.js';
import { convertRetry } from './retry.js';
import { directResponseAction, headerOps, mergeHeaderOps, mirrorPolicies, redirectAction, rewriteFields } from './route-action.js';
import { corsPolicy } from './route-cors.js';
import { MESH_CONTEXT, grpcCompatibleMatch, isCatchAll, matchAppliesTo, translateRouteMatch, vsGateways } from './route-match.js';
import type { HeaderOps, RouteActionX, RouteX } from './route-types.js';
import { CORS_FILTER } from './route-types.js';
import { expandDelegates } from './vs-delegate.js';

export type VirtualService = ConfigObject<'VirtualService'>;

export interface RouteTarget {
  /** The listener / service port the routes are for. */
  port: number;
  /** Proxyless gRPC: timeouts go to max_stream_duration; no CORS. */
  grpc: boolean;
  /** Which gateways this route table serves: {"mesh"} (default) or {"ns/gateway"}. */
  contexts?: ReadonlySet<string>;
}

/** The timeout fields of a route action: `timeout` for Envoy, max_stream_duration for gRPC. */
export function timeoutFields(timeout: string, grpc: boolean): Pick<RouteAction, 'timeout' | 'maxStreamDuration'> {
  return grpc ? { maxStreamDuration: { maxStreamDuration: timeout } } : { timeout };
}

interface Scope {
  ctx: TranslateContext;
  vs: VirtualService;
  /** `spec.http[i]` */
  path: string;
}

function warn(s: Scope, field: string, message: string): void {
  s.ctx.warn({ object: objectRef(s.vs), field: `${s.path}${field ? '.' + field : ''}`, message });
}

/** The cluster a destination names; a host outside the registry still gets its name. */
function destinationCluster(s: Scope, d: Destination, field: string, target: RouteTarget): string {
  const host = resolveHost(d.host, s.vs.metadata.namespace);
  const svc = s.ctx.push.serviceByHost.get(host);
  const only = svc && svc.ports.length === 1 ? svc.ports[0]!.port : undefined;
  const port = d.port?.number ?? only ?? target.port;
  const subset = d.subset ?? '';
  if (!svc) {
    warn(s, `${field}.host`, `Referenced host not found: "${host}" (the route names cluster ${outboundClusterName(host, port, subset)}, which does not exist)`);
  } else if (subset !== '' && !findSubset(s.ctx, host, subset)) {
    warn(s, `${field}.subset`, `Referenced subset not found: "${subset}" of host "${host}"`);
  } else if (!svc.ports.some((p) => p.port === port)) {
    warn(s, `${field}.port`, `host "${host}" has no port ${port}`);
  }
  return outboundClusterName(host, port, subset);
}

/**
 * The retry fields Istio added after attempts/perTryTimeout/retryOn: retryRemoteLocalities
 * (retry in other localities: Envoy's previous_priorities, updated every 2 attempts, as
 * Istio), backoff (base interval) and retryIgnorePreviousHosts (false drops the
 * previous-hosts predicate, which is on by default).
 */
function applyRetryExtras(policy: RetryPolicy, retries: HTTPRetry | undefined, badDuration: (field: string) => void): RetryPolicy {
  const out: RetryPolicy = { ...policy };
  if (retries?.retryRemoteLocalities) {
    out.retryPriority = {
      name: 'envoy.retry_priorities.previous_priorities',
      typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig', updateFrequency: 2 },
    };
  }
  if (retries?.backoff !== undefined) {
    const d = toProtoDuration(retries.backoff);
    if (d === undefined) badDuration('backoff');
    else out.retryBackOff = { baseInterval: d };
  }
  if (retries?.retryIgnorePreviousHosts === false) delete out.retryHostPredicate;
  return out;
}

/**
 * Consistent-hash routes: the DestinationRule's consistentHash (a cluster-side setting)
 * needs the matching RouteAction.hashPolicy to take effect, as in Istio.
 */
function hashPolicyForCluster(ctx: TranslateContext, cluster: string): HashPolicy[] {
  return hashPolicyFor(ctx.push, ctx.proxy, cluster);
}

/**
 * cluster or weighted_clusters (with per-destination header operations); undefined (with
 * a warning) when nothing is left to route to. A single destination's header operations
 * are returned for the route itself, as Istio does.
 */
function routeDestination(s: Scope, http: HTTPRoute, target: RouteTarget): { action: RouteActionX; ops: HeaderOps } | undefined {
  const dests = http.route ?? [];
  if (dests.length === 1) {
    const d = dests[0]!;
    return { action: { cluster: destinationCluster(s, d.destination, 'route[0].destination', target) }, ops: headerOps(d.headers) };
  }
  const clusters: NonNullable<RouteActionX['weightedClusters']>['clusters'] = [];
  dests.forEach((d, i) => {
    const name = destinationCluster(s, d.destination, `route[${i}].destination`, target);
    // Istio drops zero-weight destinations (and an unset weight is zero).
    if ((d.weight ?? 0) > 0) clusters.push({ name, weight: d.weight!, ...headerOps(d.headers) });
  });
  if (clusters.length === 0) {
    warn(s, 'route', 'no destination with a non-zero weight; route skipped');
    return undefined;
  }
  if (clusters.length === 1) {
    const { name, weight: _w, ...ops } = clusters[0]!;
    return { action: { cluster: name }, ops };
  }
  return { action: { weightedClusters: { clusters } }, ops: {} };
}

/** The route action (forwarding): destinations, timeout, retries, mirrors, hash policy. */
function forwardAction(s: Scope, http: HTTPRoute, target: RouteTarget): { action: RouteActionX; ops: HeaderOps } | undefined {
  if (!http.route || http.route.length === 0) {
    warn(s, 'route', 'no destinations (and no redirect or directResponse); route skipped');
    return undefined;
  }
  const dest = routeDestination(s, http, target);
  if (!dest) return undefined;
  const action: RouteActionX = { ...dest.action };
  let timeout = '0s';
  if (http.timeout !== undefined) {
    const t = toProtoDuration(http.timeout);
    if (t === undefined) warn(s, 'timeout', `unparseable duration "${http.timeout}"; no timeout set`);
    else timeout = t;
  }
  Object.assign(action, timeoutFields(timeout, target.grpc));
  const retry = convertRetry(http.retries, (f) => warn(s, `retries.${f}`, 'unparseable duration; ignored'));
  if (retry) action.retryPolicy = applyRetryExtras(retry, http.retries, (f) => warn(s, `retries.${f}`, 'unparseable duration; ignored'));
  const mirrors = mirrorPolicies(http, (d, field) => destinationCluster(s, d, field, target));
  if (mirrors.length > 0) action.requestMirrorPolicies = mirrors;
  if (action.cluster) {
    const hash = hashPolicyForCluster(s.ctx, action.cluster);
    if (hash && hash.length > 0) action.hashPolicy = hash;
  }
  return { action, ops: dest.ops };
}

/** Everything of one http route that does not depend on the match. */
interface RouteTemplate {
  build(m: HTTPMatchRequest | undefined, name: string | undefined, match: RouteMatch): RouteX;
}

function routeTemplate(s: Scope, http: HTTPRoute, target: RouteTarget): RouteTemplate | undefined {
  const redirect = redirectAction(http, target.port, (f, msg) => warn(s, f, msg));
  const direct = redirect ? undefined : directResponseAction(http);
  const forward = redirect || direct ? undefined : forwardAction(s, http, target);
  if (!redirect && !direct && !forward) return undefined;
  const ops = mergeHeaderOps(headerOps(http.headers), forward?.ops ?? {});
  const perFilter: NonNullable<RouteX['typedPerFilterConfig']> = {};
  const problems: FaultProblem[] = [];
  const fault = convertFault(http.fault, problems);
  for (const p of problems) warn(s, p.field, p.message);
  if (fault) perFilter[FAULT_FILTER] = fault;
  const cors = corsPolicy(http.corsPolicy);
  // gRPC NACKs per-route config for a filter it does not know (A39); CORS means nothing to it.
  if (cors && target.grpc) warn(s, 'corsPolicy', 'proxyless gRPC has no CORS filter; ignored');
  else if (cors) perFilter[CORS_FILTER] = cors;
  return {
    build(m, name, match) {
      // Each route gets its own objects: several matches share one template, and YAML
      // writers would otherwise emit anchors.
      const r: RouteX = name ? { name, match } : { match };
      if (forward) r.route = structuredClone({ ...forward.action, ...rewriteFields(http.rewrite, m) });
      if (redirect) r.redirect = { ...redirect };
      if (direct) r.directResponse = structuredClone(direct);
      Object.assign(r, structuredClone(ops));
      if (Object.keys(perFilter).length > 0) r.typedPerFilterConfig = structuredClone(perFilter);
      return r;
    },
  };
}

/**
 * Envoy routes for `vss` (all naming the same host) on `target.port`, in order. Returns
 * [] when no VirtualService yields a route for this proxy: the caller then uses the
 * default route, as Istio does for a VirtualService that does not apply.
 */
export function buildVirtualServiceRoutes(ctx: TranslateContext, vss: readonly VirtualService[], target: RouteTarget): RouteX[] {
  const contexts = target.contexts ?? MESH_CONTEXT;
  const out: RouteX[] = [];
  let catchAllAt: string | undefined;
  for (const root of vss) {
    const gateways = vsGateways(root.spec.gateways, root.metadata.namespace);
    for (const { http, vs, path } of expandDelegates(ctx, root)) {
      const s: Scope = { ctx, vs, path };
      const matches = http.match && http.match.length > 0 ? http.match : undefined;
      const applicable = matches
        ? matches.filter((m) => matchAppliesTo(m, ctx.proxy, target.port, gateways, contexts, root.metadata.namespace))
        : gateways.some((g) => contexts.has(g)) ? [undefined] : [];
      if (applicable.length === 0) continue;
      if (catchAllAt !== undefined) {
        warn(s, '', `unreachable: an earlier route (${catchAllAt}) matches every request`);
        continue;
      }
      for (const [i, m] of (matches ?? []).entries()) if (m.statPrefix !== undefined) warn(s, `match[${i}].statPrefix`, 'statPrefix is not supported yet; ignored');
      const template = routeTemplate(s, http, target);
      if (!template) continue;
      for (const m of applicable) {
        if (catchAllAt !== undefined) break;
        // Route name: http[].name, plus "." + the match's name (Istio's convention).
        const name = m?.name ? `${http.name ?? ''}.${m.name}` : http.name;
        const match = translateRouteMatch(m);
        out.push(template.build(m, name, target.grpc ? grpcCompatibleMatch(match) : match));
        if (isCatchAll(match)) catchAllAt = `${objectRef(vs)} ${path}`;
      }
    }
  }
  return out;
}
