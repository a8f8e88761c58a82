// VirtualService `tcp` and `tls` routes → filter chains with tcp_proxy, for sidecar TCP/TLS
// listeners and gateway TCP/PASSTHROUGH servers. Istio evaluates port, sourceLabels,
// sourceNamespace and gateways per proxy; destinationSubnets become the chain's
// prefix_ranges, sniHosts its server_names (read by the tls_inspector listener filter).
import { resolveHost } from '../model/host.js';
import type { L4MatchAttributes, RouteDestination, TLSMatchAttributes } from '../model/istio-types.js';
import type { TranslateContext } from './context.js';
import { objectRef } from './context.js';
import type { VirtualService } from './http-route.js';
import { TCP_PROXY_FILTER, outboundClusterName } from './names.js';
import { matchAppliesTo, vsGateways } from './route-match.js';
import type { FilterChainMatch, FilterChainX, TcpProxyX } from './route-types.js';
import { TCP_PROXY_TYPE } from './envoy-types.js';

/** tcp_proxy to one cluster or a weighted set (zero weights dropped, as for HTTP). */
export function tcpProxy(ctx: TranslateContext, vs: VirtualService, dests: readonly RouteDestination[], port: number, path: string): TcpProxyX | undefined {
  const clusters = dests.map((d, i) => {
    const host = resolveHost(d.destination.host, vs.metadata.namespace);
    const svc = ctx.push.serviceByHost.get(host);
    const p = d.destination.port?.number ?? (svc?.ports.length === 1 ? svc.ports[0]!.port : port);
    if (!svc) ctx.warn({ object: objectRef(vs), field: `${path}.route[${i}].destination.host`, message: `Referenced host not found: "${host}"` });
    return { name: outboundClusterName(host, p, d.destination.subset ?? ''), weight: dests.length === 1 ? 100 : (d.weight ?? 0) };
  }).filter((c) => c.weight > 0);
  if (clusters.length === 0) return undefined;
  if (clusters.length === 1) return { '@type': TCP_PROXY_TYPE, statPrefix: clusters[0]!.name, cluster: clusters[0]!.name };
  return { '@type': TCP_PROXY_TYPE, statPrefix: clusters.map((c) => c.name).join(','), weightedClusters: { clusters } };
}

export function tcpChain(proxy: TcpProxyX, match?: FilterChainMatch): FilterChainX {
  const chain: FilterChainX = { filters: [{ name: TCP_PROXY_FILTER, typedConfig: proxy }] };
  if (match && Object.keys(match).length > 0) chain.filterChainMatch = match;
  return chain;
}

/** `10.0.0.0/8` → prefix range; a bare address is a /32 (or /128). */
export function prefixRange(cidr: string): { addressPrefix: string; prefixLen: number } {
  const [addr, len] = cidr.split('/') as [string, string | undefined];
  return { addressPrefix: addr, prefixLen: len !== undefined ? Number(len) : addr.includes(':') ? 128 : 32 };
}

function l4Match(m: L4MatchAttributes | undefined): FilterChainMatch {
  const out: FilterChainMatch = {};
  if (m?.destinationSubnets?.length) out.prefixRanges = m.destinationSubnets.map(prefixRange);
  return out;
}

export interface L4Options {
  port: number;
  contexts: ReadonlySet<string>;
  /** Gateways: only SNI hosts the server exposes (undefined = all). */
  allowSni?: (sni: string) => string | undefined;
}

/**
 * Filter chains for the `tcp` routes of `vss` that apply: one per applicable match, in
 * order; a route without matches (or a match without subnets) ends the list, since Envoy
 * would never pick what follows an unconditional chain.
 */
export function tcpRouteChains(ctx: TranslateContext, vss: readonly VirtualService[], o: L4Options): FilterChainX[] {
  const out: FilterChainX[] = [];
  for (const vs of vss) {
    const gateways = vsGateways(vs.spec.gateways, vs.metadata.namespace);
    for (const [i, r] of (vs.spec.tcp ?? []).entries()) {
      const path = `spec.tcp[${i}]`;
      const matches = r.match?.length ? r.match.filter((m) => matchAppliesTo(m, ctx.proxy, o.port, gateways, o.contexts, vs.metadata.namespace)) : gateways.some((g) => o.contexts.has(g)) ? [undefined] : [];
      if (matches.length === 0) continue;
      const proxy = tcpProxy(ctx, vs, r.route ?? [], o.port, path);
      if (!proxy) continue;
      for (const m of matches) {
        out.push(tcpChain(structuredClone(proxy), l4Match(m)));
        if (!m?.destinationSubnets?.length) return out;
      }
    }
  }
  return out;
}

/** Filter chains for the `tls` routes that apply: server_names from sniHosts. */
export function tlsRouteChains(ctx: TranslateContext, vss: readonly VirtualService[], o: L4Options): FilterChainX[] {
  const out: FilterChainX[] = [];
  const seen = new Set<string>();
  for (const vs of vss) {
    const gateways = vsGateways(vs.spec.gateways, vs.metadata.namespace);
    for (const [i, r] of (vs.spec.tls ?? []).entries()) {
      const path = `spec.tls[${i}]`;
      const matches = r.match.filter((m: TLSMatchAttributes) => matchAppliesTo(m, ctx.proxy, o.port, gateways, o.contexts, vs.metadata.namespace));
      const proxy = matches.length > 0 ? tcpProxy(ctx, vs, r.route ?? [], o.port, path) : undefined;
      if (!proxy) continue;
      for (const m of matches) {
        const sni = [...new Set(m.sniHosts.map((h) => resolveHost(h, vs.metadata.namespace)).map((h) => (o.allowSni ? o.allowSni(h) : h)).filter((h): h is string => h !== undefined))];
        // Envoy rejects two chains with the same match; the first route for an SNI wins.
        const fresh = sni.filter((h) => !seen.has(`${h}|${(m.destinationSubnets ?? []).join(',')}`));
        if (fresh.length === 0) continue;
        for (const h of fresh) seen.add(`${h}|${(m.destinationSubnets ?? []).join(',')}`);
        const match: FilterChainMatch = { ...l4Match(m), serverNames: fresh.sort() };
        out.push(tcpChain(structuredClone(proxy), match));
      }
    }
  }
  return out;
}
