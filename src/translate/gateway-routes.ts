// RDS for gateways: `http.PORT` (every plain HTTP server on the port) and
// `https.PORT.PORTNAME.GATEWAY.NS` (one TLS-terminating server). One virtual host per
// host a bound VirtualService exposes through the servers (named `HOST:PORT`, the host as
// its only domain), routes built with the gateway as context; httpsRedirect servers
// require TLS; no host at all gives Istio's `blackhole:PORT` (404 for everything).
import { resolveHost } from '../model/host.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import type { RouteConfiguration } from './envoy-types.js';
import { exposedHosts, serversByPort, type BoundServer } from './gateway-model.js';
import { buildVirtualServiceRoutes } from './http-route.js';
import { isCatchAll, vsGateways } from './route-match.js';
import { asRouteConfiguration } from './routes.js';
import type { RouteX, VirtualHostX } from './route-types.js';

/** The VirtualServices bound to a gateway (`ns/name`), in config order. */
export function virtualServicesForGateway(ctx: TranslateContext, gatewayName: string): NonNullable<TranslateContext['push']['virtualServices']> {
  return (ctx.push.virtualServices ?? []).filter((vs) => vs.spec.hosts?.length && vsGateways(vs.spec.gateways, vs.metadata.namespace).includes(gatewayName));
}

/** Istio's SortVHostRoutes: catch-all routes move to the end, order otherwise kept. */
function sortRoutes(routes: RouteX[]): RouteX[] {
  return [...routes.filter((r) => !isCatchAll(r.match)), ...routes.filter((r) => isCatchAll(r.match))];
}

function gatewayRouteConfig(ctx: TranslateContext, name: string, servers: readonly BoundServer[]): RouteConfiguration {
  const vhosts = new Map<string, VirtualHostX>();
  const port = servers[0]!.server.port.number;
  for (const b of servers) {
    const contexts = new Set([b.gatewayName]);
    const redirect = b.server.tls?.httpsRedirect === true;
    for (const vs of virtualServicesForGateway(ctx, b.gatewayName)) {
      // A VirtualService with only tcp/tls routes has nothing for an HTTP route table.
      if (!vs.spec.http?.length) continue;
      const vsHosts = (vs.spec.hosts ?? []).map((h) => resolveHost(h, vs.metadata.namespace));
      const hosts = exposedHosts(b.server, b.gateway.metadata.namespace, vs.metadata.namespace, vsHosts);
      if (hosts.length === 0) continue;
      const routes = buildVirtualServiceRoutes(ctx, [vs], { port, grpc: false, contexts });
      for (const h of hosts) {
        const vh = vhosts.get(h);
        if (vh) vh.routes.push(...structuredClone(routes));
        else vhosts.set(h, { name: `${h}:${port}`, domains: [h], routes: structuredClone(routes) });
        if (redirect) vhosts.get(h)!.requireTls = 'ALL';
      }
    }
    if (!redirect) continue;
    // httpsRedirect covers every server host, with or without a VirtualService.
    for (const [, h] of b.server.hosts.map((x) => [x, x.slice(x.indexOf('/') + 1).toLowerCase()] as const)) {
      const vh = vhosts.get(h) ?? { name: `${h}:${port}`, domains: [h], routes: [] };
      vh.requireTls = 'ALL';
      vhosts.set(h, vh);
    }
  }
  const list = [...vhosts.values()].map((v) => ({ ...v, routes: sortRoutes(v.routes) })).sort((a, b) => compareStrings(a.name, b.name));
  const virtualHosts = list.length > 0 ? list : [{ name: `blackhole:${port}`, domains: ['*'], routes: [] }];
  return asRouteConfiguration({ name, virtualHosts, validateClusters: false, ignorePortInHostMatching: true });
}

/** Every gateway route config of this proxy (or the named ones). */
export function gatewayRouteConfigs(ctx: TranslateContext, names: readonly string[] | undefined): RouteConfiguration[] {
  const byName = new Map<string, BoundServer[]>();
  for (const servers of serversByPort(ctx).values()) {
    for (const b of servers) {
      if (!b.routeName) continue;
      byName.set(b.routeName, [...(byName.get(b.routeName) ?? []), b]);
    }
  }
  const wanted = names ? new Set(names) : undefined;
  return [...byName.entries()]
    .filter(([n]) => !wanted || wanted.has(n))
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([n, servers]) => gatewayRouteConfig(ctx, n, servers));
}
