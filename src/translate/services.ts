// Which services a proxy sees and how it speaks to each port. Every generator goes through
// visibleServices(), so CDS, EDS, LDS and RDS agree on the set of clusters they reference;
// the Sidecar scoping behind it lives in sidecar-scope.ts.
import type { Protocol, Service, ServicePort } from '../model/service.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';

/** Istio's "HTTP-ish" protocols: they get an HTTP connection manager and RDS. */
const HTTP_PROTOCOLS: ReadonlySet<Protocol> = new Set<Protocol>(['HTTP', 'HTTP2', 'GRPC', 'GRPC-Web']);
/** Protocols whose upstream connections must be HTTP/2 (Istio's Protocol.IsHTTP2()). */
const HTTP2_PROTOCOLS: ReadonlySet<Protocol> = new Set<Protocol>(['HTTP2', 'GRPC', 'GRPC-Web']);

export function isHttpPort(p: ServicePort): boolean {
  return HTTP_PROTOCOLS.has(p.protocol);
}

export function isHttp2Port(p: ServicePort): boolean {
  return HTTP2_PROTOCOLS.has(p.protocol);
}

/**
 * Whether a sidecar proxies this port as TCP. UDP is not proxied at all. UNSUPPORTED
 * (no protocol declared) is TCP here: Istio would sniff the protocol, which needs an
 * inspector filter chain we do not build yet.
 */
export function isTcpPort(p: ServicePort): boolean {
  return !isHttpPort(p) && p.protocol !== 'UDP';
}

/** Service.exportTo as Istio reads it: '*' everyone, '.' own namespace, else named namespaces. */
export function isVisibleTo(svc: Service, namespace: string): boolean {
  if (svc.exportTo.length === 0) return true;
  return svc.exportTo.some((e) => e === '*' || e === namespace || (e === '.' && svc.namespace === namespace));
}

/**
 * The services this proxy gets configuration for, sorted by hostname: what its Sidecar
 * scope imports (ctx.push is already scoped, see context.ts), or without a Sidecar every
 * service exported to its namespace. Ports may be trimmed to a Sidecar egress listener's
 * port. Services with resolution NONE (headless Services, passthrough ServiceEntries) are
 * included: they get ORIGINAL_DST clusters, as in Istio. Proxyless gRPC clients can only
 * use EDS clusters; grpcServices() is their view.
 */
export function visibleServices(ctx: TranslateContext): Service[] {
  const out: Service[] = [];
  for (const svc of ctx.push.services) {
    // Already true for a scoped view; kept so a hand-built context stays correct.
    if (!isVisibleTo(svc, ctx.proxy.namespace)) continue;
    out.push(svc);
  }
  return out.sort((a, b) => compareStrings(a.hostname, b.hostname));
}

/**
 * What a proxyless gRPC client can dial: visible services whose endpoints come from EDS.
 * gRPC has no DNS or original-destination clusters, so CDS gives it none for the others
 * and a listener for them would point at a cluster that never comes.
 */
export function grpcServices(ctx: TranslateContext): Service[] {
  return visibleServices(ctx).filter((s) => s.resolution === 'STATIC');
}

/** Ports sorted by number (then name), so that every loop over them is deterministic. */
export function sortedPorts(svc: Service): ServicePort[] {
  return [...svc.ports].sort((a, b) => a.port - b.port || compareStrings(a.name, b.name));
}

/** The first usable address of a service (cluster IP / ServiceEntry address), or undefined. */
export function serviceAddress(svc: Service): string | undefined {
  return svc.addresses.find((a) => a !== '' && a !== '0.0.0.0' && !a.includes('/'));
}

/** Every usable address, for route domains. */
export function serviceAddresses(svc: Service): string[] {
  return svc.addresses.filter((a) => a !== '' && a !== '0.0.0.0' && !a.includes('/'));
}
