// The four xDS generators (api.ts's Generator contract) and generateAll(), which returns
// every type plus the warnings raised while building them (for config dumps and the
// debug surface). Routers (gateways) get their Gateway listeners and routes plus the
// outbound clusters (gateway-generate.ts). Sidecars get their outbound side (scoped by their Sidecar, see context.ts) plus their
// inbound side (virtualInbound, `inbound|PORT||` clusters) here.
import type { PushContext } from '../push/push-context.js';
import type { Generator, Resource, TranslateWarning, XdsTypeUrl } from './api.js';
import { PUSH_ORDER, TypeUrl } from './api.js';
import { buildClusters } from './clusters.js';
import { buildInboundClusters } from './clusters-inbound.js';
import type { TranslateContext } from './context.js';
import { compareStrings, newContext, normalizeWarnings } from './context.js';
import { edsClusterNames, loadAssignmentByName } from './endpoints.js';
import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration } from './envoy-types.js';
import { grpcListeners } from './listeners-grpc.js';
import { buildInboundListeners } from './listeners-inbound.js';
import { sidecarListeners } from './listeners-sidecar.js';
import type { Proxy } from './proxy.js';
import type { Service } from '../model/service.js';
import { grpcRouteConfigs, sidecarRouteConfigs } from './routes.js';
import { visibleServices } from './services.js';
import type { InboundCluster, InboundListener } from './sidecar-envoy-types.js';
import { inboundPorts, inboundSignature } from './sidecar-inbound.js';
import { applyOutboundPolicy } from './sidecar-outbound-policy.js';
import { chooseSidecar } from './sidecar-scope.js';
import { supportsRingHash } from './grpc-client-features.js';
import { gatewayListeners, gatewayRouteConfigs, routerClusters, routerEndpoints } from './gateway-generate.js';

type Body = Cluster | ClusterLoadAssignment | Listener | RouteConfiguration | InboundCluster | InboundListener;

function resource(typeUrl: XdsTypeUrl, name: string, body: Body): Resource {
  // The Envoy interfaces are closed shapes; Resource.body is the codec's open JSON type.
  return { name, typeUrl, body: body as unknown as Resource['body'] };
}

function labelsKey(proxy: Proxy): string {
  return Object.keys(proxy.labels)
    .sort(compareStrings)
    .map((k) => `${k}=${proxy.labels[k]}`)
    .join(',');
}

/**
 * What a proxy's outbound output depends on besides the push: its kind, its namespace
 * (service visibility, route domains, `./*` imports) and the Sidecar that applies. Given
 * the push, the key names that Sidecar, so every proxy it fits shares one entry; without
 * it, the labels stand in (they decide which Sidecar applies) — correct, shared less.
 */
function scopeIdentity(proxy: Proxy, push?: PushContext): string {
  // Gateways are selected by labels (Gateway.spec.selector), whatever the push.
  if (proxy.kind === 'router') return `router/${proxy.namespace}/labels:${labelsKey(proxy)}`;
  // gRPC clients that must not get RING_HASH (C-core < 1.52) get different CDS and RDS.
  const ringHash = proxy.kind === 'grpc' ? `/ringhash:${supportsRingHash(proxy) ? 1 : 0}` : '';
  const base = `${proxy.kind}/${proxy.namespace}${ringHash}`;
  if (!push) return `${base}/labels:${labelsKey(proxy)}`;
  const sc = chooseSidecar(push, proxy).sidecar;
  return `${base}/sidecar:${sc ? `${sc.metadata.namespace}/${sc.metadata.name}` : '-'}`;
}

const inboundKeys = new WeakMap<PushContext, Map<string, string>>();

/**
 * What a sidecar's inbound side depends on: the inbound ports its pod serves. With the
 * push, that list itself (pods of one deployment share it); without, the pod's IPs.
 */
function inboundKey(proxy: Proxy, push?: PushContext): string {
  if (proxy.kind !== 'sidecar' || proxy.ip === '') return '';
  if (!push) return `ips:${proxy.ips.join(',')}`;
  const memoKey = `${proxy.namespace}|${proxy.ips.join(',')}|${labelsKey(proxy)}|${scopeIdentity(proxy, push)}`;
  let perPush = inboundKeys.get(push);
  if (!perPush) {
    perPush = new Map();
    inboundKeys.set(push, perPush);
  }
  let key = perPush.get(memoKey);
  if (key === undefined) {
    key = `in:${inboundSignature(inboundPorts(newContext(push, proxy)))}`;
    perPush.set(memoKey, key);
  }
  return key;
}

/** CDS and LDS: the outbound scope plus, for sidecars, the inbound ports. */
function withInboundKey(proxy: Proxy, push?: PushContext): string {
  return `${scopeIdentity(proxy, push)}|${inboundKey(proxy, push)}`;
}

/** RDS also depends on labels (VirtualService sourceLabels). */
function routesKey(proxy: Proxy, push?: PushContext): string {
  return `${scopeIdentity(proxy, push)}|${labelsKey(proxy)}`;
}

function buildListeners(ctx: TranslateContext, names: readonly string[] | undefined): (Listener | InboundListener)[] {
  switch (ctx.proxy.kind) {
    case 'sidecar': {
      const outbound = applyOutboundPolicy(sidecarListeners(ctx), ctx.push.mesh.outboundTrafficPolicy);
      const all: (Listener | InboundListener)[] = [...outbound, ...buildInboundListeners(ctx, inboundPorts(ctx))];
      return all.sort((a, b) => compareStrings(a.name, b.name));
    }
    // gRPC asks LDS for the dial targets by name; Istio's gRPC generator honours the names.
    case 'grpc':
      return grpcListeners(ctx, names);
    case 'router':
      return gatewayListeners(ctx);
  }
}

function buildRoutes(ctx: TranslateContext, names: readonly string[] | undefined): RouteConfiguration[] {
  switch (ctx.proxy.kind) {
    case 'sidecar':
      return sidecarRouteConfigs(ctx, names);
    case 'grpc':
      return grpcRouteConfigs(ctx, names);
    case 'router':
      return gatewayRouteConfigs(ctx, names);
  }
}

// visibleServices() reads only the scoped service list and the proxy's namespace; the list
// is shared by endpoint-only pushes (sidecar-scope.ts), so an EDS push for one cluster does
// not re-sort every visible service once per scope.
const visibleIndex = new WeakMap<readonly Service[], Map<string, ReadonlyMap<string, Service>>>();

function visibleByHost(ctx: TranslateContext): ReadonlyMap<string, Service> {
  let perNs = visibleIndex.get(ctx.push.services);
  if (!perNs) {
    perNs = new Map();
    visibleIndex.set(ctx.push.services, perNs);
  }
  let m = perNs.get(ctx.proxy.namespace);
  if (!m) {
    m = new Map(visibleServices(ctx).map((s) => [s.hostname, s]));
    perNs.set(ctx.proxy.namespace, m);
  }
  return m;
}

function buildEndpoints(ctx: TranslateContext, names: readonly string[] | undefined): ClusterLoadAssignment[] {
  if (ctx.proxy.kind === 'router') return routerEndpoints(ctx, names);
  const visible = visibleByHost(ctx);
  const wanted = names ? [...new Set(names)].sort(compareStrings) : edsClusterNames(ctx);
  const out: ClusterLoadAssignment[] = [];
  for (const n of wanted) {
    const cla = loadAssignmentByName(ctx, n, visible);
    if (cla) out.push(cla);
  }
  return out;
}

/** Outbound clusters, then (sidecars) the inbound ones, all sorted by name. */
function buildAllClusters(ctx: TranslateContext): (Cluster | InboundCluster)[] {
  if (ctx.proxy.kind === 'router') return routerClusters(ctx);
  const all: (Cluster | InboundCluster)[] = [...buildClusters(ctx), ...buildInboundClusters(ctx, inboundPorts(ctx))];
  return all.sort((a, b) => compareStrings(a.name, b.name));
}

type Build = (ctx: TranslateContext, names: readonly string[] | undefined) => Resource[];

const BUILDERS: Record<XdsTypeUrl, Build> = {
  [TypeUrl.Cluster]: (ctx) => buildAllClusters(ctx).map((c) => resource(TypeUrl.Cluster, c.name, c)),
  [TypeUrl.ClusterLoadAssignment]: (ctx, names) =>
    buildEndpoints(ctx, names).map((c) => resource(TypeUrl.ClusterLoadAssignment, c.clusterName, c)),
  [TypeUrl.Listener]: (ctx, names) => buildListeners(ctx, names).map((l) => resource(TypeUrl.Listener, l.name, l)),
  [TypeUrl.RouteConfiguration]: (ctx, names) =>
    buildRoutes(ctx, names).map((r) => resource(TypeUrl.RouteConfiguration, r.name, r)),
};

/**
 * scopeKey takes the push as an optional second argument: a caller that passes it (the
 * resource cache, once it does) gets Sidecar-identity keys; one that does not still gets
 * correct, label-based keys.
 */
function generator(typeUrl: XdsTypeUrl, scopeKey: (p: Proxy, push?: PushContext) => string): Generator {
  return {
    typeUrl,
    scopeKey,
    generate: (push, proxy, names) => BUILDERS[typeUrl](newContext(push, proxy), names),
  };
}

export const generators: Record<XdsTypeUrl, Generator> = {
  [TypeUrl.Cluster]: generator(TypeUrl.Cluster, withInboundKey),
  // Inbound clusters are STATIC/ORIGINAL_DST: EDS depends on the outbound scope only.
  [TypeUrl.ClusterLoadAssignment]: generator(TypeUrl.ClusterLoadAssignment, scopeIdentity),
  // gRPC listener content also depends on the requested names, which the caller keys on.
  [TypeUrl.Listener]: generator(TypeUrl.Listener, withInboundKey),
  [TypeUrl.RouteConfiguration]: generator(TypeUrl.RouteConfiguration, routesKey),
};

export interface GenerateAllResult {
  /** Every type, in push order (CDS, EDS, LDS, RDS), each sorted as its generator sorts it. */
  resources: Resource[];
  /** Sorted and de-duplicated. */
  warnings: TranslateWarning[];
}

/**
 * Everything a proxy would get with no names requested (config dumps, golden tests):
 * for gRPC, one listener and route config per visible service port.
 */
export function generateAll(push: PushContext, proxy: Proxy): GenerateAllResult {
  const warnings: TranslateWarning[] = [];
  const ctx = newContext(push, proxy, (w) => warnings.push(w));
  const resources = PUSH_ORDER.flatMap((t) => BUILDERS[t](ctx, undefined));
  return { resources, warnings: normalizeWarnings(warnings) };
}
