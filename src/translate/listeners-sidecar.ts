// LDS for sidecars: virtualOutbound on 15001 catches all outbound traffic (iptables
// redirects it there) and hands each connection to the listener matching its original
// destination: `0.0.0.0_PORT` (HTTP, routes by Host via RDS "PORT") or `CLUSTERIP_PORT`
// (TCP, straight to the service cluster). Those are not bound (bindToPort false); anything
// without a listener goes to PassthroughCluster. VirtualService tcp routes turn a TCP
// listener's single chain into one per route (destinationSubnets → prefix_ranges); tls
// routes on TLS/HTTPS ports give chains matched on SNI, read by tls_inspector.
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import { adsConfigSource } from './clusters.js';
import type { HttpFilter, Listener } from './envoy-types.js';
import type { Service, ServicePort } from '../model/service.js';
import { MESH_CONTEXT } from './route-match.js';
import type { HttpConnectionManagerX, HttpFilterX, ListenerX } from './route-types.js';
import { CORS_FILTER, CORS_TYPE, TLS_INSPECTOR, TLS_INSPECTOR_TYPE } from './route-types.js';
import { tcpChain, tcpRouteChains, tlsRouteChains } from './tcp-routes.js';
import { HCM_TYPE, HTTP_FAULT_TYPE, ROUTER_TYPE, TCP_PROXY_TYPE } from './envoy-types.js';
import {
  FAULT_FILTER,
  HCM_FILTER,
  PASSTHROUGH_CLUSTER,
  ROUTER_FILTER,
  TCP_PROXY_FILTER,
  VIRTUAL_OUTBOUND_LISTENER,
  VIRTUAL_OUTBOUND_PORT,
  WILDCARD_ADDRESS,
  listenerName,
  outboundClusterName,
} from './names.js';
import { httpPorts } from './routes.js';
import { isTcpPort, serviceAddress, sortedPorts, visibleServices } from './services.js';

/** fault then router: the fault filter reads per-route config; router must be last. */
export function outboundHttpFilters(): HttpFilter[] {
  return [
    { name: FAULT_FILTER, typedConfig: { '@type': HTTP_FAULT_TYPE } },
    { name: ROUTER_FILTER, typedConfig: { '@type': ROUTER_TYPE } },
  ];
}

/**
 * Envoy's chain: cors, fault, router, Istio's order (CORS answers preflights before a
 * fault can abort them). Not for gRPC, which NACKs an HTTP filter it does not know.
 */
export function httpFiltersWithCors(): HttpFilterX[] {
  return [{ name: CORS_FILTER, typedConfig: { '@type': CORS_TYPE } }, ...outboundHttpFilters()];
}

export function virtualOutboundListener(): Listener {
  return {
    name: VIRTUAL_OUTBOUND_LISTENER,
    address: { socketAddress: { address: WILDCARD_ADDRESS, portValue: VIRTUAL_OUTBOUND_PORT } },
    filterChains: [
      {
        name: 'PassthroughFilterChain',
        filters: [
          { name: TCP_PROXY_FILTER, typedConfig: { '@type': TCP_PROXY_TYPE, statPrefix: PASSTHROUGH_CLUSTER, cluster: PASSTHROUGH_CLUSTER } },
        ],
      },
    ],
    useOriginalDst: true,
    trafficDirection: 'OUTBOUND',
  };
}

function httpListener(port: number): ListenerX {
  const name = listenerName(WILDCARD_ADDRESS, port);
  const hcm: HttpConnectionManagerX = {
    '@type': HCM_TYPE,
    statPrefix: `outbound_${name}`,
    rds: { configSource: adsConfigSource(), routeConfigName: String(port) },
    httpFilters: httpFiltersWithCors(),
    useRemoteAddress: false,
  };
  return {
    name,
    address: { socketAddress: { address: WILDCARD_ADDRESS, portValue: port } },
    filterChains: [{ filters: [{ name: HCM_FILTER, typedConfig: hcm }] }],
    bindToPort: false,
    trafficDirection: 'OUTBOUND',
  };
}

function tcpListener(ctx: TranslateContext, address: string, port: ServicePort, svc: Service): ListenerX {
  const cluster = outboundClusterName(svc.hostname, port.port);
  const vss = ctx.push.virtualServicesByHost.get(svc.hostname) ?? [];
  const o = { port: port.port, contexts: MESH_CONTEXT };
  const tls = port.protocol === 'TLS' || port.protocol === 'HTTPS';
  const routed = tls ? tlsRouteChains(ctx, vss, o) : tcpRouteChains(ctx, vss, o);
  // The service's own cluster stays the fallback for anything no route claims.
  const last = routed.at(-1);
  const chains = last && !last.filterChainMatch ? routed : [...routed, tcpChain({ '@type': TCP_PROXY_TYPE, statPrefix: cluster, cluster })];
  const l: ListenerX = {
    name: listenerName(address, port.port),
    address: { socketAddress: { address, portValue: port.port } },
    filterChains: chains,
    bindToPort: false,
    trafficDirection: 'OUTBOUND',
  };
  if (chains.some((c) => c.filterChainMatch?.serverNames)) l.listenerFilters = [{ name: TLS_INSPECTOR, typedConfig: { '@type': TLS_INSPECTOR_TYPE } }];
  return l;
}

function warnService(ctx: TranslateContext, svc: Service, port: number, message: string): void {
  ctx.warn({ object: `Service ${svc.namespace}/${svc.name}`, field: `ports[${port}]`, message });
}

/** All sidecar listeners, sorted by name. */
export function sidecarListeners(ctx: TranslateContext): Listener[] {
  const http = httpPorts(ctx);
  const out: ListenerX[] = [virtualOutboundListener()];
  for (const port of http.keys()) out.push(httpListener(port));
  const tcpByName = new Map<string, Service>();
  for (const svc of visibleServices(ctx)) {
    for (const p of sortedPorts(svc)) {
      if (!isTcpPort(p)) continue;
      const address = serviceAddress(svc) ?? WILDCARD_ADDRESS;
      if (address === WILDCARD_ADDRESS && http.has(p.port)) {
        // Istio resolves the same conflict the same way: the HTTP listener keeps the port.
        warnService(ctx, svc, p.port, `TCP port ${p.port} has no cluster IP and collides with HTTP listener 0.0.0.0_${p.port}; HTTP wins, TCP traffic to it is routed as HTTP`);
        continue;
      }
      const name = listenerName(address, p.port);
      const prior = tcpByName.get(name);
      if (prior) {
        warnService(ctx, svc, p.port, `listener ${name} is already used by ${prior.hostname}; ${svc.hostname} gets no TCP listener on it`);
        continue;
      }
      tcpByName.set(name, svc);
      out.push(tcpListener(ctx, address, p, svc));
    }
  }
  return out.sort((a, b) => compareStrings(a.name, b.name)) as unknown as Listener[];
}
