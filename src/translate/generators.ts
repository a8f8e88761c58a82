// The four xDS generators (api.ts's Generator contract) and generateAll(), which returns
// every type plus the warnings raised while building them (for config dumps and the
// debug surface). Routers (gateways) get nothing yet: that is issue #3.
import type { PushContext } from '../push/push-context.js';
import type { Generator, Resource, TranslateWarning, XdsTypeUrl } from './api.js';
import { PUSH_ORDER, TypeUrl } from './api.js';
import { buildClusters } from './clusters.js';
import type { TranslateContext } from './context.js';
import { compareStrings, newContext, normalizeWarnings } from './context.js';
import { edsClusterNames, loadAssignmentByName } from './endpoints.js';
import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration } from './envoy-types.js';
import { grpcListeners } from './listeners-grpc.js';
import { sidecarListeners } from './listeners-sidecar.js';
import type { Proxy } from './proxy.js';
import { grpcRouteConfigs, sidecarRouteConfigs } from './routes.js';
import { visibleServices } from './services.js';

type Body = Cluster | ClusterLoadAssignment | Listener | RouteConfiguration;

function resource(typeUrl: XdsTypeUrl, name: string, body: Body): Resource {
  // The Envoy interfaces are closed shapes; Resource.body is the codec's open JSON type.
  return { name, typeUrl, body: body as unknown as Resource['body'] };
}

/**
 * What a proxy's output depends on besides the push: its kind and namespace (service
 * visibility, route domains). RDS also depends on labels (VirtualService sourceLabels).
 */
function baseKey(proxy: Proxy): string {
  return `${proxy.kind}/${proxy.namespace}`;
}

function labelsKey(proxy: Proxy): string {
  return Object.keys(proxy.labels)
    .sort(compareStrings)
    .map((k) => `${k}=${proxy.labels[k]}`)
    .join(',');
}

function buildListeners(ctx: TranslateContext, names: readonly string[] | undefined): Listener[] {
  switch (ctx.proxy.kind) {
    case 'sidecar':
      return sidecarListeners(ctx);
    // gRPC asks LDS for the dial targets by name; Istio's gRPC generator honours the names.
    case 'grpc':
      return grpcListeners(ctx, names);
    case 'router':
      // TODO(issue #3): gateway listeners.
      return [];
  }
}

function buildRoutes(ctx: TranslateContext, names: readonly string[] | undefined): RouteConfiguration[] {
  switch (ctx.proxy.kind) {
    case 'sidecar':
      return sidecarRouteConfigs(ctx, names);
    case 'grpc':
      return grpcRouteConfigs(ctx, names);
    case 'router':
      return [];
  }
}

function buildEndpoints(ctx: TranslateContext, names: readonly string[] | undefined): ClusterLoadAssignment[] {
  if (ctx.proxy.kind === 'router') return [];
  const visible = new Map(visibleServices(ctx).map((s) => [s.hostname, s]));
  const wanted = names ? [...new Set(names)].sort(compareStrings) : edsClusterNames(ctx);
  const out: ClusterLoadAssignment[] = [];
  for (const n of wanted) {
    const cla = loadAssignmentByName(ctx, n, visible);
    if (cla) out.push(cla);
  }
  return out;
}

type Build = (ctx: TranslateContext, names: readonly string[] | undefined) => Resource[];

const BUILDERS: Record<XdsTypeUrl, Build> = {
  [TypeUrl.Cluster]: (ctx) => buildClusters(ctx).map((c) => resource(TypeUrl.Cluster, c.name, c)),
  [TypeUrl.ClusterLoadAssignment]: (ctx, names) =>
    buildEndpoints(ctx, names).map((c) => resource(TypeUrl.ClusterLoadAssignment, c.clusterName, c)),
  [TypeUrl.Listener]: (ctx, names) => buildListeners(ctx, names).map((l) => resource(TypeUrl.Listener, l.name, l)),
  [TypeUrl.RouteConfiguration]: (ctx, names) =>
    buildRoutes(ctx, names).map((r) => resource(TypeUrl.RouteConfiguration, r.name, r)),
};

function generator(typeUrl: XdsTypeUrl, scopeKey: (p: Proxy) => string): Generator {
  return {
    typeUrl,
    scopeKey,
    generate: (push, proxy, names) => BUILDERS[typeUrl](newContext(push, proxy), names),
  };
}

export const generators: Record<XdsTypeUrl, Generator> = {
  [TypeUrl.Cluster]: generator(TypeUrl.Cluster, baseKey),
  [TypeUrl.ClusterLoadAssignment]: generator(TypeUrl.ClusterLoadAssignment, baseKey),
  // gRPC listener content depends on the requested names only, which the caller keys on.
  [TypeUrl.Listener]: generator(TypeUrl.Listener, baseKey),
  [TypeUrl.RouteConfiguration]: generator(TypeUrl.RouteConfiguration, (p) => `${baseKey(p)}/${labelsKey(p)}`),
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
  if (proxy.kind === 'router') {
    warnings.push({ object: `Proxy ${proxy.id}`, field: 'kind', message: 'gateways (router proxies) are not supported yet; nothing is generated' });
  }
  const resources = PUSH_ORDER.flatMap((t) => BUILDERS[t](ctx, undefined));
  return { resources, warnings: normalizeWarnings(warnings) };
}
