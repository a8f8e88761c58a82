// LDS for sidecars: virtualOutbound on 15001 catches all outbound traffic (iptables
// redirects it there) and hands each connection to the listener matching its original
// destination: `0.0.0.0_PORT` (HTTP, routes by Host via RDS "PORT") or `CLUSTERIP_PORT`
// (TCP, straight to the service cluster). Those are not bound (bindToPort false); anything
// without a listener goes to PassthroughCluster.
import type { Service } from '../model/service.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import { adsConfigSource } from './clusters.js';
import type { HttpConnectionManager, HttpFilter, Listener } from './envoy-types.js';
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

function httpListener(port: number): Listener {
  const name = listenerName(WILDCARD_ADDRESS, port);
  const hcm: HttpConnectionManager = {
    '@type': HCM_TYPE,
    statPrefix: `outbound_${name}`,
    rds: { configSource: adsConfigSource(), routeConfigName: String(port) },
    httpFilters: outboundHttpFilters(),
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

function tcpListener(address: string, port: number, svc: Service): Listener {
  const cluster = outboundClusterName(svc.hostname, port);
  return {
    name: listenerName(address, port),
    address: { socketAddress: { address, portValue: port } },
    filterChains: [
      { filters: [{ name: TCP_PROXY_FILTER, typedConfig: { '@type': TCP_PROXY_TYPE, statPrefix: cluster, cluster } }] },
    ],
    bindToPort: false,
    trafficDirection: 'OUTBOUND',
  };
}

function warnService(ctx: TranslateContext, svc: Service, port: number, message: string): void {
  ctx.warn({ object: `Service ${svc.namespace}/${svc.name}`, field: `ports[${port}]`, message });
}

/** All sidecar listeners, sorted by name. */
export function sidecarListeners(ctx: TranslateContext): Listener[] {
  const http = httpPorts(ctx);
  const out: Listener[] = [virtualOutboundListener()];
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
      out.push(tcpListener(address, p.port, svc));
    }
  }
  return out.sort((a, b) => compareStrings(a.name, b.name));
}
