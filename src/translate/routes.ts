// RDS: sidecar route configurations (one per HTTP port, named by the port, one virtual host
// per service on it plus the allow_any/block_all catch-all) and proxyless gRPC route
// configurations (one per cluster name `outbound|PORT||HOST`, one virtual host).
import type { Service } from '../model/service.js';
import { hashPolicyFor } from './dr-hash-policy.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import type { Route, RouteAction, RouteConfiguration, VirtualHost } from './envoy-types.js';
import type { RouteConfigurationX, RouteX, VirtualHostX } from './route-types.js';
import { buildVirtualServiceRoutes, timeoutFields } from './http-route.js';
import {
  ALLOW_ANY_VHOST,
  BLOCK_ALL_VHOST,
  DEFAULT_ROUTE_NAME,
  PASSTHROUGH_CLUSTER,
  outboundClusterName,
  parseClusterName,
  proxyDomain,
} from './names.js';
import { defaultRetryPolicy } from './retry.js';
import { grpcServices, isHttpPort, serviceAddresses, sortedPorts, visibleServices } from './services.js';

/**
 * The Host header values that reach `svc` from a proxy in `proxyNs`, in Istio's order:
 * FQDN, FQDN with a trailing dot, then the short forms the proxy's DNS search path
 * resolves (same namespace: `name`, `name.ns.svc`, `name.ns`; another namespace:
 * `name.ns`, `name.ns.svc`), then the service addresses. With `port`, each entry is
 * followed by its `:PORT` variant (gRPC, which matches the authority with its port);
 * sidecars set ignore_port_in_host_matching instead.
 */
export function virtualHostDomains(svc: Service, proxyNs: string, port?: number): string[] {
  const out: string[] = [];
  const add = (d: string): void => {
    out.push(d);
    if (port !== undefined) out.push(`${d}:${port}`);
  };
  add(svc.hostname);
  add(`${svc.hostname}.`);
  const domain = proxyDomain(proxyNs);
  const svcAt = svc.hostname.indexOf('.svc.');
  // Short forms only for Kubernetes-style names sharing the proxy's cluster suffix;
  // expanding other names could collide with a Kubernetes service's short name.
  if (svcAt > 0 && svc.hostname.slice(svcAt) === domain.slice(domain.indexOf('.svc.'))) {
    const nameDotNs = svc.hostname.slice(0, svcAt);
    const name = nameDotNs.slice(0, nameDotNs.indexOf('.'));
    const ns = nameDotNs.slice(name.length + 1);
    if (ns === proxyNs) {
      add(name);
      add(`${nameDotNs}.svc`);
      add(nameDotNs);
    } else {
      add(nameDotNs);
      add(`${nameDotNs}.svc`);
    }
  }
  for (const a of serviceAddresses(svc)) add(a.includes(':') ? `[${a}]` : a);
  return out;
}

/** Istio's route for a host without a VirtualService: everything to the service cluster. */
export function defaultRoute(cluster: string, grpc: boolean): Route {
  return {
    name: DEFAULT_ROUTE_NAME,
    match: { prefix: '/' },
    route: { cluster, ...timeoutFields('0s', grpc), retryPolicy: defaultRetryPolicy() },
  };
}

function routesFor(ctx: TranslateContext, svc: Service, port: number, grpc: boolean): RouteX[] {
  const vss = ctx.push.virtualServicesByHost.get(svc.hostname) ?? [];
  const routes = vss.length > 0 ? buildVirtualServiceRoutes(ctx, vss, { port, grpc }) : [];
  if (routes.length > 0) return routes;
  const cluster = outboundClusterName(svc.hostname, port);
  const route = defaultRoute(cluster, grpc);
  // A DestinationRule's consistentHash needs the route's hashPolicy, VirtualService or not.
  const hashPolicy = hashPolicyFor(ctx.push, ctx.proxy, cluster);
  if (hashPolicy.length > 0 && route.route) route.route = { ...route.route, hashPolicy } as RouteAction;
  return [route];
}

/** allow_any (to PassthroughCluster) or, under REGISTRY_ONLY, block_all (502). */
export function catchAllVirtualHost(ctx: TranslateContext): VirtualHost {
  if (ctx.push.mesh.outboundTrafficPolicy === 'REGISTRY_ONLY') {
    return { name: BLOCK_ALL_VHOST, domains: ['*'], routes: [{ name: BLOCK_ALL_VHOST, match: { prefix: '/' }, directResponse: { status: 502 } }] };
  }
  return {
    name: ALLOW_ANY_VHOST,
    domains: ['*'],
    routes: [{ name: ALLOW_ANY_VHOST, match: { prefix: '/' }, route: { cluster: PASSTHROUGH_CLUSTER, timeout: '0s' } }],
  };
}

/** HTTP service ports this sidecar routes, each with its services sorted by hostname. */
export function httpPorts(ctx: TranslateContext): Map<number, Service[]> {
  const byPort = new Map<number, Service[]>();
  for (const svc of visibleServices(ctx)) {
    for (const p of sortedPorts(svc)) {
      if (!isHttpPort(p)) continue;
      const list = byPort.get(p.port) ?? [];
      if (!list.includes(svc)) list.push(svc);
      byPort.set(p.port, list);
    }
  }
  return new Map([...byPort.entries()].sort(([a], [b]) => a - b));
}

/**
 * The spine's RouteConfiguration type declares only the route fields it emitted; the
 * VirtualService features add more (route-types.ts). The codec checks the real shape.
 */
export function asRouteConfiguration(rc: RouteConfigurationX): RouteConfiguration {
  return rc as unknown as RouteConfiguration;
}

/** The sidecar route configuration for one port ("9080"). */
export function sidecarRouteConfig(ctx: TranslateContext, port: number, services: readonly Service[]): RouteConfiguration {
  const vhosts: VirtualHostX[] = services.map((svc) => ({
    name: `${svc.hostname}:${port}`,
    domains: virtualHostDomains(svc, ctx.proxy.namespace),
    routes: routesFor(ctx, svc, port, false),
  }));
  vhosts.push(catchAllVirtualHost(ctx));
  return asRouteConfiguration({ name: String(port), virtualHosts: vhosts, validateClusters: false, ignorePortInHostMatching: true });
}

export function sidecarRouteConfigs(ctx: TranslateContext, names: readonly string[] | undefined): RouteConfiguration[] {
  const wanted = names ? new Set(names) : undefined;
  const out: RouteConfiguration[] = [];
  for (const [port, services] of httpPorts(ctx)) {
    if (wanted && !wanted.has(String(port))) continue;
    out.push(sidecarRouteConfig(ctx, port, services));
  }
  return out;
}

/** The gRPC route configuration `outbound|PORT||HOST`, or undefined if it names nothing known. */
export function grpcRouteConfig(ctx: TranslateContext, name: string, visible: ReadonlyMap<string, Service>): RouteConfiguration | undefined {
  const parsed = parseClusterName(name);
  if (!parsed || parsed.subset !== '') return undefined;
  const svc = visible.get(parsed.host);
  if (!svc || !svc.ports.some((p) => p.port === parsed.port)) return undefined;
  const vhost: VirtualHostX = {
    name: `${svc.hostname}:${parsed.port}`,
    domains: virtualHostDomains(svc, ctx.proxy.namespace, parsed.port),
    routes: routesFor(ctx, svc, parsed.port, true),
  };
  return asRouteConfiguration({ name, virtualHosts: [vhost] });
}

/** gRPC route configs: the named ones, or (names undefined) one per visible service port. */
export function grpcRouteConfigs(ctx: TranslateContext, names: readonly string[] | undefined): RouteConfiguration[] {
  const services = grpcServices(ctx);
  const visible = new Map(services.map((s) => [s.hostname, s]));
  const wanted = names
    ? [...new Set(names)].sort(compareStrings)
    : services.flatMap((s) => sortedPorts(s).filter((p) => p.protocol !== 'UDP').map((p) => outboundClusterName(s.hostname, p.port)));
  const out: RouteConfiguration[] = [];
  for (const n of wanted) {
    const rc = grpcRouteConfig(ctx, n, visible);
    if (rc) out.push(rc);
  }
  return out;
}
