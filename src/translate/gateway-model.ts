// Which Gateways a router proxy runs, and their servers grouped by port (Istio's
// MergedGateway, trimmed): a Gateway selects the proxies whose LABELS include its
// selector, in any namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false, Istio's default).
import type { ConfigObject } from '../model/config.js';
import type { GatewayServer } from '../model/istio-types.js';
import type { TranslateContext } from './context.js';
import { objectRef } from './context.js';

export type Gateway = ConfigObject<'Gateway'>;

export type ServerKind = 'http' | 'https' | 'passthrough' | 'tcp';

export interface BoundServer {
  gateway: Gateway;
  /** `ns/name`, how VirtualServices name the gateway. */
  gatewayName: string;
  server: GatewayServer;
  /** `spec.servers[i]`, for warnings. */
  path: string;
  kind: ServerKind;
  /** RDS name for http/https servers: `http.PORT` or `https.PORT.PORTNAME.GATEWAY.NS`. */
  routeName?: string;
}

/** A server's hosts as [namespace, host] ("*" namespace = any; "." = the gateway's). */
export function serverHosts(server: GatewayServer, gatewayNs: string): [string, string][] {
  return server.hosts.map((h) => {
    const slash = h.indexOf('/');
    if (slash < 0) return ['*', h];
    const ns = h.slice(0, slash);
    return [ns === '.' ? gatewayNs : ns, h.slice(slash + 1)];
  });
}

export function selects(gw: Gateway, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(gw.spec.selector ?? {}).every(([k, v]) => labels[k] === v);
}

function classify(ctx: TranslateContext, gw: Gateway, server: GatewayServer, path: string): ServerKind | undefined {
  const protocol = server.port.protocol.toUpperCase();
  const mode = server.tls?.mode;
  const warn = (field: string, message: string): void => ctx.warn({ object: objectRef(gw), field: `${path}${field}`, message });
  if (protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC') {
    if (mode !== undefined) warn('.tls.mode', 'TLS settings on a plain HTTP server are ignored (only httpsRedirect applies)');
    return 'http';
  }
  if (protocol === 'HTTPS' || protocol === 'TLS') {
    if (mode === 'PASSTHROUGH') return 'passthrough';
    if (protocol === 'TLS' && mode === undefined) return 'passthrough';
    if (mode === 'SIMPLE' || mode === 'MUTUAL') {
      if (!server.tls?.serverCertificate || !server.tls.privateKey) {
        warn('.tls.credentialName', 'certificates from Kubernetes Secrets (credentialName, SDS) are not supported yet; server skipped');
        return undefined;
      }
      if (protocol === 'TLS') {
        warn('.port.protocol', 'TLS termination with TCP routing is not supported yet; server skipped');
        return undefined;
      }
      return 'https';
    }
    warn('.tls.mode', `TLS mode ${mode ?? '(unset)'} is not supported yet; server skipped`);
    return undefined;
  }
  if (protocol === 'TCP') return 'tcp';
  warn('.port.protocol', `protocol ${server.port.protocol} is not supported on gateways yet; server skipped`);
  return undefined;
}

/** Servers that can share a listener: plain HTTP ones, TLS ones (told apart by SNI), or one TCP. */
function portGroup(kind: ServerKind): string {
  return kind === 'https' || kind === 'passthrough' ? 'tls' : kind;
}

/** The servers of every Gateway selecting this proxy, by port number, in config order. */
export function serversByPort(ctx: TranslateContext): Map<number, BoundServer[]> {
  const out = new Map<number, BoundServer[]>();
  for (const gw of ctx.push.gateways ?? []) {
    if (!selects(gw, ctx.proxy.labels)) continue;
    const gatewayName = `${gw.metadata.namespace}/${gw.metadata.name}`;
    gw.spec.servers.forEach((server, i) => {
      const path = `spec.servers[${i}]`;
      const unsupported = (['bind', 'defaultEndpoint'] as const).filter((f) => server[f] !== undefined);
      for (const f of unsupported) ctx.warn({ object: objectRef(gw), field: `${path}.${f}`, message: `${f} is not supported yet; ignored` });
      const kind = classify(ctx, gw, server, path);
      if (!kind) return;
      const port = server.port.number;
      const bound: BoundServer = { gateway: gw, gatewayName, server, path, kind };
      if (kind === 'http') bound.routeName = `http.${port}`;
      if (kind === 'https') bound.routeName = `https.${port}.${server.port.name}.${gw.metadata.name}.${gw.metadata.namespace}`;
      const list = out.get(port) ?? [];
      // Istio: one port carries plain HTTP or TLS servers, not both; the first one wins.
      const clash = list.find((b) => portGroup(b.kind) !== portGroup(kind));
      if (clash) {
        ctx.warn({ object: objectRef(gw), field: path, message: `port ${port} is already used by a ${clash.kind} server of ${objectRef(clash.gateway)}; server skipped` });
        return;
      }
      list.push(bound);
      out.set(port, list);
    });
  }
  return new Map([...out.entries()].sort(([a], [b]) => a - b));
}

/** Istio's host.Name.Matches in both directions, returning the more specific name. */
export function intersectHost(a: string, b: string): string | undefined {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return la;
  const covers = (wild: string, other: string): boolean =>
    wild === '*' || (wild.startsWith('*') && other.endsWith(wild.slice(1)) && other.length > wild.length - 1);
  if (covers(la, lb)) return lb;
  if (covers(lb, la)) return la;
  return undefined;
}

/** The VirtualService hosts a server exposes: [host] pairs allowed by namespace, intersected. */
export function exposedHosts(server: GatewayServer, gatewayNs: string, vsNs: string, vsHosts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const [ns, sh] of serverHosts(server, gatewayNs)) {
    if (ns !== '*' && ns !== vsNs) continue;
    for (const vh of vsHosts) {
      const h = intersectHost(sh, vh);
      if (h !== undefined) out.add(h);
    }
  }
  return [...out];
}
