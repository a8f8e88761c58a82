// VirtualService `http` routes → Envoy routes for one host and port. Several
// VirtualServices for a host are merged in the order PushContext gives them (Istio's
// creation order); routing stops at the first catch-all, as in Istio, because Envoy
// would never reach what follows.
import type { ConfigObject } from '../model/config.js';
import type { HTTPRoute, HTTPRouteDestination } from '../model/istio-types.js';
import type { TranslateContext } from './context.js';
import { objectRef } from './context.js';
import { findSubset } from './destination-rule.js';
import { toProtoDuration } from './duration.js';
import type { Route, RouteAction, RouteMatch, WeightedCluster } from './envoy-types.js';
import { convertFault, type FaultProblem } from './fault.js';
import { resolveHost } from '../model/references.js';
import { FAULT_FILTER, outboundClusterName } from './names.js';
import { convertRetry } from './retry.js';
import { isCatchAll, matchAppliesTo, translateRouteMatch, vsGateways } from './route-match.js';

export type VirtualService = ConfigObject<'VirtualService'>;

export interface RouteTarget {
  /** The listener / service port the routes are for. */
  port: number;
  /** Proxyless gRPC: timeouts go to max_stream_duration. */
  grpc: boolean;
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
function destinationCluster(s: Scope, d: HTTPRouteDestination, i: number, target: RouteTarget): string {
  const host = resolveHost(d.destination.host, s.vs.metadata.namespace);
  const svc = s.ctx.push.serviceByHost.get(host);
  const only = svc && svc.ports.length === 1 ? svc.ports[0]!.port : undefined;
  const port = d.destination.port?.number ?? only ?? target.port;
  const subset = d.destination.subset ?? '';
  if (!svc) {
    warn(s, `route[${i}].destination.host`, `Referenced host not found: "${host}" (the route names cluster ${outboundClusterName(host, port, subset)}, which does not exist)`);
  } else if (subset !== '' && !findSubset(s.ctx, host, subset)) {
    warn(s, `route[${i}].destination.subset`, `Referenced subset not found: "${subset}" of host "${host}"`);
  } else if (!svc.ports.some((p) => p.port === port)) {
    warn(s, `route[${i}].destination.port`, `host "${host}" has no port ${port}`);
  }
  return outboundClusterName(host, port, subset);
}

/** cluster or weighted_clusters; undefined (with a warning) when nothing is left to route to. */
function routeDestination(s: Scope, http: HTTPRoute, target: RouteTarget): Pick<RouteAction, 'cluster' | 'weightedClusters'> | undefined {
  const dests = http.route ?? [];
  if (dests.length === 1) return { cluster: destinationCluster(s, dests[0]!, 0, target) };
  const clusters: WeightedCluster[] = [];
  dests.forEach((d, i) => {
    const name = destinationCluster(s, d, i, target);
    // Istio drops zero-weight destinations (and an unset weight is zero).
    if ((d.weight ?? 0) > 0) clusters.push({ name, weight: d.weight! });
  });
  if (clusters.length === 0) {
    warn(s, 'route', 'no destination with a non-zero weight; route skipped');
    return undefined;
  }
  return clusters.length === 1 ? { cluster: clusters[0]!.name } : { weightedClusters: { clusters } };
}

const UNSUPPORTED: readonly (keyof HTTPRoute)[] = ['mirror', 'mirrors', 'mirrorPercentage', 'corsPolicy', 'headers'];

/** The action shared by every match of one http route; undefined = route skipped. */
function routeAction(s: Scope, http: HTTPRoute, target: RouteTarget): RouteAction | undefined {
  for (const f of ['redirect', 'directResponse', 'delegate'] as const) {
    if (http[f] !== undefined) {
      warn(s, f, `${f} is not translated yet; route skipped`);
      return undefined;
    }
  }
  if (!http.route || http.route.length === 0) {
    warn(s, 'route', 'no destinations; route skipped');
    return undefined;
  }
  for (const f of UNSUPPORTED) if (http[f] !== undefined) warn(s, f, `${f} is not translated yet; ignored`);
  const dest = routeDestination(s, http, target);
  if (!dest) return undefined;
  const action: RouteAction = { ...dest };
  let timeout = '0s';
  if (http.timeout !== undefined) {
    const t = toProtoDuration(http.timeout);
    if (t === undefined) warn(s, 'timeout', `unparseable duration "${http.timeout}"; no timeout set`);
    else timeout = t;
  }
  Object.assign(action, timeoutFields(timeout, target.grpc));
  const retry = convertRetry(http.retries, (f) => warn(s, `retries.${f}`, 'unparseable duration; ignored'));
  if (retry) action.retryPolicy = retry;
  if (http.rewrite?.uri !== undefined) action.prefixRewrite = http.rewrite.uri;
  if (http.rewrite?.authority !== undefined) action.hostRewriteLiteral = http.rewrite.authority;
  if (http.rewrite?.uriRegexRewrite !== undefined) warn(s, 'rewrite.uriRegexRewrite', 'uriRegexRewrite is not translated yet; ignored');
  return action;
}

function makeRoute(name: string | undefined, match: RouteMatch, action: RouteAction, fault: Route['typedPerFilterConfig']): Route {
  // Each route gets its own copy: several matches share one action, and consumers (and
  // YAML writers, which would emit anchors) must not see shared objects.
  const route = structuredClone(action);
  const r: Route = name ? { name, match, route } : { match, route };
  if (fault) r.typedPerFilterConfig = structuredClone(fault);
  return r;
}

/**
 * Envoy routes for `vss` (all naming the same host) on `target.port`, in order. Returns
 * [] when no VirtualService yields a route for this proxy: the caller then uses the
 * default route, as Istio does for a VirtualService that does not apply.
 */
export function buildVirtualServiceRoutes(ctx: TranslateContext, vss: readonly VirtualService[], target: RouteTarget): Route[] {
  const out: Route[] = [];
  let catchAllAt: string | undefined;
  for (const vs of vss) {
    const gateways = vsGateways(vs.spec.gateways);
    (vs.spec.http ?? []).forEach((http, i) => {
      const s: Scope = { ctx, vs, path: `spec.http[${i}]` };
      const matches = http.match && http.match.length > 0 ? http.match : undefined;
      const applicable = matches
        ? matches.filter((m) => matchAppliesTo(m, ctx.proxy, target.port, gateways))
        : gateways.includes('mesh') ? [undefined] : [];
      if (applicable.length === 0) return;
      if (catchAllAt !== undefined) {
        warn(s, '', `unreachable: an earlier route (${catchAllAt}) matches every request`);
        return;
      }
      const action = routeAction(s, http, target);
      if (!action) return;
      const problems: FaultProblem[] = [];
      const fault = convertFault(http.fault, problems);
      for (const p of problems) warn(s, p.field, p.message);
      const perFilter = fault ? { [FAULT_FILTER]: fault } : undefined;
      for (const m of applicable) {
        if (catchAllAt !== undefined) break;
        // Route name: http[].name, plus "." + the match's name (Istio's convention).
        const name = m?.name ? `${http.name ?? ''}.${m.name}` : http.name;
        const match = translateRouteMatch(m);
        out.push(makeRoute(name, match, action, perFilter));
        if (isCatchAll(match)) catchAllAt = `${objectRef(vs)} ${s.path}`;
      }
    });
  }
  return out;
}
