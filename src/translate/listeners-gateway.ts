// LDS for gateways (router proxies): one bound listener `0.0.0.0_PORT` per server port.
// Plain HTTP servers share one chain (HCM → RDS `http.PORT`); each TLS-terminating server
// gets a chain matched on its SNI hosts with its certificates (HCM → RDS
// `https.PORT.PORTNAME.GATEWAY.NS`); PASSTHROUGH servers get a chain per VirtualService
// tls route, matched on SNI, straight to tcp_proxy; TCP servers the first tcp route.
import type { TranslateContext } from './context.js';
import { adsConfigSource } from './clusters.js';
import { resolveHost } from '../model/host.js';
import type { Listener } from './envoy-types.js';
import { HCM_TYPE } from './envoy-types.js';
import { exposedHosts, serverHosts, serversByPort, type BoundServer } from './gateway-model.js';
import { virtualServicesForGateway } from './gateway-routes.js';
import { HCM_FILTER, WILDCARD_ADDRESS, listenerName } from './names.js';
import { httpFiltersWithCors } from './listeners-sidecar.js';
import type { DownstreamTlsContext, FilterChainX, ListenerX } from './route-types.js';
import { DOWNSTREAM_TLS_TYPE, TLS_INSPECTOR, TLS_INSPECTOR_TYPE } from './route-types.js';
import { tcpRouteChains, tlsRouteChains } from './tcp-routes.js';
import { compareStrings, objectRef } from './context.js';

function hcmChain(port: number, routeName: string, statPrefix: string): FilterChainX {
  return {
    filters: [
      {
        name: HCM_FILTER,
        typedConfig: {
          '@type': HCM_TYPE,
          statPrefix,
          rds: { configSource: adsConfigSource(), routeConfigName: routeName },
          httpFilters: httpFiltersWithCors(),
          // A gateway is the edge: the client's address is the peer's (Istio sets the same).
          useRemoteAddress: true,
        },
      },
    ],
  };
}

/** SNI hosts of a server: its hosts without namespaces; none when any is "*" (match all). */
function sniHosts(b: BoundServer): string[] | undefined {
  const hosts = serverHosts(b.server, b.gateway.metadata.namespace).map(([, h]) => h.toLowerCase());
  return hosts.includes('*') ? undefined : [...new Set(hosts)].sort();
}

function tlsContext(b: BoundServer): DownstreamTlsContext {
  const tls = b.server.tls!;
  const ctx: DownstreamTlsContext = {
    '@type': DOWNSTREAM_TLS_TYPE,
    commonTlsContext: {
      tlsCertificates: [{ certificateChain: { filename: tls.serverCertificate! }, privateKey: { filename: tls.privateKey! } }],
      alpnProtocols: ['h2', 'http/1.1'],
    },
  };
  if (tls.mode === 'MUTUAL') {
    ctx.commonTlsContext.validationContext = { trustedCa: { filename: tls.caCertificates! } };
    if (tls.subjectAltNames?.length) ctx.commonTlsContext.validationContext.matchSubjectAltNames = tls.subjectAltNames.map((s) => ({ exact: s }));
    ctx.requireClientCertificate = true;
  }
  return ctx;
}

function chainsFor(ctx: TranslateContext, port: number, servers: readonly BoundServer[]): FilterChainX[] {
  const name = listenerName(WILDCARD_ADDRESS, port);
  const out: FilterChainX[] = [];
  const http = servers.find((b) => b.kind === 'http');
  if (http) out.push(hcmChain(port, http.routeName!, `outbound_${name}`));
  for (const b of servers) {
    const contexts = new Set([b.gatewayName]);
    const vss = () => virtualServicesForGateway(ctx, b.gatewayName);
    if (b.kind === 'https') {
      const chain = hcmChain(port, b.routeName!, b.server.name ?? `outbound_${name}`);
      const sni = sniHosts(b);
      if (sni) chain.filterChainMatch = { serverNames: sni };
      chain.transportSocket = { name: 'envoy.transport_sockets.tls', typedConfig: tlsContext(b) };
      out.push(chain);
    } else if (b.kind === 'passthrough') {
      const allowed = (vsNs: string) => (sni: string) => exposedHosts(b.server, b.gateway.metadata.namespace, vsNs, [sni])[0];
      for (const vs of vss()) {
        out.push(...tlsRouteChains(ctx, [vs], { port, contexts, allowSni: allowed(vs.metadata.namespace) }));
      }
    } else if (b.kind === 'tcp' && out.length === 0) {
      const bound = vss().filter((vs) => exposedHosts(b.server, b.gateway.metadata.namespace, vs.metadata.namespace, (vs.spec.hosts ?? []).map((h) => resolveHost(h, vs.metadata.namespace))).length > 0);
      out.push(...tcpRouteChains(ctx, bound, { port, contexts }).slice(0, 1));
    }
  }
  return out;
}

/** Every gateway listener of this proxy, by port. */
export function gatewayListeners(ctx: TranslateContext): Listener[] {
  const out: ListenerX[] = [];
  for (const [port, servers] of serversByPort(ctx)) {
    const chains = chainsFor(ctx, port, servers);
    if (chains.length === 0) {
      for (const b of servers) ctx.warn({ object: objectRef(b.gateway), field: b.path, message: `no route applies to port ${port}; no listener` });
      continue;
    }
    const l: ListenerX = {
      name: listenerName(WILDCARD_ADDRESS, port),
      address: { socketAddress: { address: WILDCARD_ADDRESS, portValue: port } },
      filterChains: chains,
    };
    // SNI needs the ClientHello read before a chain is chosen.
    if (chains.some((c) => c.filterChainMatch?.serverNames || c.transportSocket)) {
      l.listenerFilters = [{ name: TLS_INSPECTOR, typedConfig: { '@type': TLS_INSPECTOR_TYPE } }];
    }
    out.push(l);
  }
  // Sorted by name, like every other generator's output.
  return out.sort((a, b) => compareStrings(a.name, b.name)) as unknown as Listener[];
}
