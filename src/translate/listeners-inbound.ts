// LDS for a sidecar's inbound side: `virtualInbound` on 0.0.0.0:15006, where iptables sends
// every connection arriving at the pod. useOriginalDst recovers the address the client
// dialed; a filter chain per inbound port (matched on that destination port) terminates
// HTTP with an inline route config or proxies TCP to `inbound|PORT||`; anything else goes
// through as addressed (InboundPassthroughCluster). A chain matching 15006 itself
// blackholes connections addressed to the listener, which would otherwise loop.
import type { TranslateContext } from './context.js';
import { HCM_TYPE, ROUTER_TYPE, TCP_PROXY_TYPE } from './envoy-types.js';
import { BLACKHOLE_CLUSTER, HCM_FILTER, ROUTER_FILTER, TCP_PROXY_FILTER, WILDCARD_ADDRESS, listenerName } from './names.js';
import { inboundRouteConfig } from './routes-inbound.js';
import { isHttpPort } from './services.js';
import type { InboundFilterChain, InboundListener, InboundNetworkFilter } from './sidecar-envoy-types.js';
import {
  INBOUND_PASSTHROUGH_CLUSTER,
  VIRTUAL_INBOUND_LISTENER,
  VIRTUAL_INBOUND_PORT,
  inboundClusterName,
  type InboundPort,
} from './sidecar-inbound.js';

function tcpProxy(cluster: string): InboundNetworkFilter {
  return { name: TCP_PROXY_FILTER, typedConfig: { '@type': TCP_PROXY_TYPE, statPrefix: cluster, cluster } };
}

function portChain(p: InboundPort): InboundFilterChain {
  const name = listenerName(WILDCARD_ADDRESS, p.port);
  const filterChainMatch = { destinationPort: p.port };
  if (!isHttpPort({ name: '', port: p.port, protocol: p.protocol })) {
    return { name, filterChainMatch, filters: [tcpProxy(inboundClusterName(p.port))] };
  }
  return {
    name,
    filterChainMatch,
    filters: [
      {
        name: HCM_FILTER,
        typedConfig: {
          '@type': HCM_TYPE,
          statPrefix: `inbound_${name}`,
          routeConfig: inboundRouteConfig(p),
          httpFilters: [{ name: ROUTER_FILTER, typedConfig: { '@type': ROUTER_TYPE } }],
          // Inbound: the peer is the client's sidecar; keep its x-forwarded-for as sent.
          useRemoteAddress: false,
        },
      },
    ],
  };
}

export function virtualInboundListener(ports: readonly InboundPort[]): InboundListener {
  return {
    name: VIRTUAL_INBOUND_LISTENER,
    address: { socketAddress: { address: WILDCARD_ADDRESS, portValue: VIRTUAL_INBOUND_PORT } },
    filterChains: [
      { name: 'virtualInbound-blackhole', filterChainMatch: { destinationPort: VIRTUAL_INBOUND_PORT }, filters: [tcpProxy(BLACKHOLE_CLUSTER)] },
      ...ports.map(portChain),
      // No match: every destination port without a chain of its own.
      { name: VIRTUAL_INBOUND_LISTENER, filters: [tcpProxy(INBOUND_PASSTHROUGH_CLUSTER)] },
    ],
    useOriginalDst: true,
    trafficDirection: 'INBOUND',
  };
}

/** The inbound listeners of a proxy: virtualInbound for sidecars with an IP, else none. */
export function buildInboundListeners(ctx: TranslateContext, ports: readonly InboundPort[]): InboundListener[] {
  if (ctx.proxy.kind !== 'sidecar' || ctx.proxy.ip === '') return [];
  return [virtualInboundListener(ports)];
}
