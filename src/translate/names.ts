// Istio's names for the things we generate (see /work/shared/istio-conventions.md) and the
// small helpers that turn user-written hosts into registry keys. Kept in one place so that
// the cluster a route names and the cluster CDS emits can never drift apart.
import { DOMAIN_SUFFIX } from '../model/service.js';

export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const VIRTUAL_OUTBOUND_LISTENER = 'virtualOutbound';
export const VIRTUAL_OUTBOUND_PORT = 15001;
export const ALLOW_ANY_VHOST = 'allow_any';
export const BLOCK_ALL_VHOST = 'block_all';
export const DEFAULT_ROUTE_NAME = 'default';
export const WILDCARD_ADDRESS = '0.0.0.0';

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const ROUTER_FILTER = 'envoy.filters.http.router';
export const HCM_FILTER = 'envoy.filters.network.http_connection_manager';
export const TCP_PROXY_FILTER = 'envoy.filters.network.tcp_proxy';

/** `outbound|PORT|SUBSET|HOST`; subset '' for the service-wide cluster. */
export function outboundClusterName(host: string, port: number, subset = ''): string {
  return `outbound|${port}|${subset}|${host}`;
}

export interface ParsedClusterName {
  direction: string;
  port: number;
  subset: string;
  host: string;
}

/** Inverse of outboundClusterName; undefined for anything else (BlackHoleCluster, junk). */
export function parseClusterName(name: string): ParsedClusterName | undefined {
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const [direction, portText, subset, host] = parts as [string, string, string, string];
  const port = Number(portText);
  if (direction !== 'outbound' || !Number.isInteger(port) || port <= 0 || host === '') return undefined;
  return { direction, port, subset, host };
}

/** Sidecar HTTP listener (`0.0.0.0_9080`) and TCP listener (`10.0.0.1_3306`) names. */
export function listenerName(address: string, port: number): string {
  return `${address}_${port}`;
}

/** The proxy's DNS search domain, as Istio derives it: `NS.svc.cluster.local`. */
export function proxyDomain(namespace: string): string {
  return `${namespace}.svc.${DOMAIN_SUFFIX}`;
}

/**
 * The FQDNs a client-side dial target may stand for, most specific first. gRPC clients
 * dial whatever the application wrote (`reviews`, `reviews.default`, `reviews.default.svc`),
 * and ask LDS for exactly that, so we try the name as-is and then its search-path expansions.
 */
export function candidateHosts(host: string, namespace: string): string[] {
  const out = [host];
  const dots = host.split('.').length - 1;
  if (dots === 0) out.push(`${host}.${namespace}.svc.${DOMAIN_SUFFIX}`);
  else if (dots === 1) out.push(`${host}.svc.${DOMAIN_SUFFIX}`);
  else if (host.endsWith('.svc')) out.push(`${host}.${DOMAIN_SUFFIX}`);
  return out;
}

/** Splits `host:port` (the port must be a decimal 1..65535); undefined otherwise. */
export function splitHostPort(name: string): { host: string; port: number } | undefined {
  const i = name.lastIndexOf(':');
  if (i <= 0) return undefined;
  const portText = name.slice(i + 1);
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { host: name.slice(0, i), port };
}
