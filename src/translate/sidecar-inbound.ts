// Which ports a sidecar serves inbound (Istio's "service targets"): the target ports of the
// services that select this pod, or, when its Sidecar has `ingress`, exactly those ports.
// The listener, route and cluster builders all read this one list, so virtualInbound's
// filter chains and the `inbound|PORT||` clusters cannot disagree.
import { parseProtocol } from '../model/protocol.js';
import type { Protocol, Service } from '../model/service.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import { VIRTUAL_OUTBOUND_PORT } from './names.js';

export const VIRTUAL_INBOUND_LISTENER = 'virtualInbound';
export const VIRTUAL_INBOUND_PORT = 15006;
export const INBOUND_PASSTHROUGH_CLUSTER = 'InboundPassthroughCluster';

/** `inbound|PORT||`: Istio names inbound clusters (and their route configs) by port only. */
export function inboundClusterName(port: number): string {
  return `inbound|${port}||`;
}
/** Istio's source address for forwarded inbound traffic, which its iptables rules skip. */
export const INBOUND_PASSTHROUGH_BIND = '127.0.0.6';

/** Where the inbound cluster sends traffic. */
export type InboundTarget =
  /** Istio's default: the connection's original destination (pod IP:port), an ORIGINAL_DST cluster. */
  | { kind: 'original-dst' }
  /** Sidecar ingress defaultEndpoint: a STATIC cluster with one endpoint. */
  | { kind: 'static'; address: string; port: number; localhost: boolean };

export interface InboundPort {
  /** The port traffic arrives on (filter chain match) and the cluster name's port. */
  port: number;
  protocol: Protocol;
  /** The first service (by hostname) with this target port; undefined for Sidecar ingress. */
  service?: Service;
  servicePort?: number;
  target: InboundTarget;
}

function sameIps(ips: readonly string[], address: string): boolean {
  return ips.includes(address);
}

function selectsProxy(svc: Service, ctx: TranslateContext): boolean {
  const sel = svc.selector;
  if (!sel || svc.origin !== 'kubernetes') return false;
  const entries = Object.entries(sel);
  return entries.length > 0 && entries.every(([k, v]) => ctx.proxy.labels[k] === v);
}

/**
 * From services of the proxy's namespace: one selecting the pod's labels (Kubernetes) or
 * listing one of its IPs among its endpoints (selector-less services, entries) serves
 * each of its ports on the target port. A named targetPort is resolved through the
 * endpoints carrying the pod's IP; without one it cannot be known and the port is skipped.
 */
function servicePorts(ctx: TranslateContext): InboundPort[] {
  const byPort = new Map<number, InboundPort>();
  const services = [...ctx.unscoped.services].sort((a, b) => compareStrings(a.hostname, b.hostname));
  for (const svc of services) {
    // Like Istio's service targets: a pod is served by services of its own namespace
    // (Kubernetes selectors cannot reach further, nor can a ServiceEntry's workloadSelector).
    if (svc.namespace !== ctx.proxy.namespace) continue;
    const mine = (ctx.unscoped.endpointsByHost.get(svc.hostname) ?? []).filter((e) => sameIps(ctx.proxy.ips, e.address));
    const selected = selectsProxy(svc, ctx);
    if (!selected && mine.length === 0) continue;
    for (const sp of [...svc.ports].sort((a, b) => a.port - b.port)) {
      if (sp.protocol === 'UDP') continue;
      const ep = mine.find((e) => e.servicePortName === sp.name);
      let target = ep?.port;
      if (target === undefined && selected) {
        if (typeof sp.targetPort === 'string') {
          ctx.warn({
            object: `Service ${svc.namespace}/${svc.name}`,
            field: `spec.ports[${sp.name || sp.port}].targetPort`,
            message: `named targetPort "${sp.targetPort}" not found among the endpoints of ${ctx.proxy.ip}; no inbound filter chain for it`,
          });
          continue;
        }
        target = sp.targetPort ?? sp.port;
      }
      if (target === undefined) continue;
      const prior = byPort.get(target);
      if (prior) {
        if (prior.protocol !== sp.protocol) {
          ctx.warn({
            object: `Service ${svc.namespace}/${svc.name}`,
            field: `spec.ports[${sp.name || sp.port}]`,
            message: `target port ${target} is ${sp.protocol} here but ${prior.protocol} for ${prior.service?.hostname ?? 'another service'}; the inbound filter chain uses ${prior.protocol}`,
          });
        }
        continue;
      }
      byPort.set(target, { port: target, protocol: sp.protocol, service: svc, servicePort: sp.port, target: { kind: 'original-dst' } });
    }
  }
  return [...byPort.values()];
}

/** `127.0.0.1:8080` → localhost STATIC; `0.0.0.0:8080` → the pod's own IP; '' → original dst. */
function ingressTarget(ctx: TranslateContext, defaultEndpoint: string | undefined): InboundTarget | undefined {
  if (!defaultEndpoint) return { kind: 'original-dst' };
  if (defaultEndpoint.startsWith('unix://')) return undefined; // warned by sidecarWarnings
  const i = defaultEndpoint.lastIndexOf(':');
  const host = defaultEndpoint.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(defaultEndpoint.slice(i + 1));
  if (host === '127.0.0.1' || host === '::1') return { kind: 'static', address: host, port, localhost: true };
  // 0.0.0.0 / [::]: "forward to the instance IP" in Istio's API.
  return { kind: 'static', address: ctx.proxy.ip, port, localhost: false };
}

function ingressPorts(ctx: TranslateContext): InboundPort[] {
  const out: InboundPort[] = [];
  const seen = new Set<number>();
  const sc = ctx.scope.sidecar;
  (sc?.spec.ingress ?? []).forEach((l, i) => {
    const object = `Sidecar ${sc?.metadata.namespace ?? ''}/${sc?.metadata.name ?? ''}`;
    const target = ingressTarget(ctx, l.defaultEndpoint);
    if (!target) return;
    if (seen.has(l.port.number)) {
      ctx.warn({ object, field: `spec.ingress[${i}].port.number`, message: `port ${l.port.number} is listed twice; the first entry wins` });
      return;
    }
    seen.add(l.port.number);
    const protocol = l.port.protocol ? parseProtocol(l.port.protocol) : undefined;
    if (l.port.protocol && !protocol) {
      ctx.warn({ object, field: `spec.ingress[${i}].port.protocol`, message: `unknown protocol "${l.port.protocol}": served as TCP` });
    }
    out.push({ port: l.port.number, protocol: protocol ?? 'TCP', target });
  });
  return out;
}

/**
 * The inbound ports of a sidecar proxy with a known IP, sorted by port: the Sidecar's
 * ingress listeners when it has any (they replace the services' ports, as in Istio),
 * else the selecting services' target ports. Ports the sidecar itself owns are dropped.
 */
export function inboundPorts(ctx: TranslateContext): InboundPort[] {
  if (ctx.proxy.kind !== 'sidecar' || ctx.proxy.ip === '') return [];
  const hasIngress = (ctx.scope.sidecar?.spec.ingress ?? []).length > 0;
  const ports = hasIngress ? ingressPorts(ctx) : servicePorts(ctx);
  return ports
    .filter((p) => {
      if (p.port !== VIRTUAL_INBOUND_PORT && p.port !== VIRTUAL_OUTBOUND_PORT) return true;
      ctx.warn({
        object: p.service ? `Service ${p.service.namespace}/${p.service.name}` : `Proxy ${ctx.proxy.id}`,
        field: 'ports',
        message: `inbound port ${p.port} is reserved for the sidecar's own listeners; not served`,
      });
      return false;
    })
    .sort((a, b) => a.port - b.port);
}

/** A short, stable description of the inbound ports: part of the LDS/CDS cache key. */
export function inboundSignature(ports: readonly InboundPort[]): string {
  return ports
    .map((p) => {
      const t = p.target.kind === 'static' ? `${p.target.address}:${p.target.port}` : 'odst';
      return `${p.port}:${p.protocol}:${p.service?.hostname ?? ''}:${p.servicePort ?? ''}:${t}`;
    })
    .join(',');
}
