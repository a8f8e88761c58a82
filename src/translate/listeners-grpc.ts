// LDS for proxyless gRPC clients: an API listener per dial target. gRPC asks for exactly
// the `host:port` the application dialed, and ignores a listener whose name differs, so
// the resource carries the requested name even when we expanded a short host to find it.
import type { Service } from '../model/service.js';
import type { TranslateContext } from './context.js';
import { compareStrings } from './context.js';
import { adsConfigSource } from './clusters.js';
import type { HttpConnectionManager, Listener } from './envoy-types.js';
import { HCM_TYPE } from './envoy-types.js';
import { outboundHttpFilters } from './listeners-sidecar.js';
import { candidateHosts, outboundClusterName, splitHostPort } from './names.js';
import { grpcServices, serviceAddress, sortedPorts } from './services.js';

function apiListener(name: string, svc: Service, port: number): Listener {
  const routeName = outboundClusterName(svc.hostname, port);
  const hcm: HttpConnectionManager = {
    '@type': HCM_TYPE,
    // Envoy's proto requires a stat prefix; gRPC ignores it. The route name is unambiguous.
    statPrefix: routeName,
    rds: { configSource: adsConfigSource(), routeConfigName: routeName },
    // gRPC C-core rejects an HCM without HTTP filters; grpc-js-xds supports fault and router.
    httpFilters: outboundHttpFilters(),
  };
  const address = serviceAddress(svc);
  const l: Listener = { name };
  if (address) l.address = { socketAddress: { address, portValue: port } };
  l.apiListener = { apiListener: hcm };
  return l;
}

/** Resolves a requested `host:port` against the visible services (short names allowed). */
export function resolveListenerName(
  name: string,
  namespace: string,
  visible: ReadonlyMap<string, Service>,
): { svc: Service; port: number } | undefined {
  const hp = splitHostPort(name);
  if (!hp) return undefined;
  for (const host of candidateHosts(hp.host, namespace)) {
    const svc = visible.get(host);
    if (svc && svc.ports.some((p) => p.port === hp.port && p.protocol !== 'UDP')) return { svc, port: hp.port };
  }
  return undefined;
}

/**
 * Listeners for the requested names (those that resolve), or, when names is undefined,
 * one `FQDN:PORT` listener per visible service port.
 */
export function grpcListeners(ctx: TranslateContext, names: readonly string[] | undefined): Listener[] {
  const services = grpcServices(ctx);
  const visible = new Map(services.map((s) => [s.hostname, s]));
  const wanted = names
    ? [...new Set(names)]
    : services.flatMap((s) => sortedPorts(s).filter((p) => p.protocol !== 'UDP').map((p) => `${s.hostname}:${p.port}`));
  const out: Listener[] = [];
  for (const name of wanted) {
    const r = resolveListenerName(name, ctx.proxy.namespace, visible);
    if (r) out.push(apiListener(name, r.svc, r.port));
  }
  return out.sort((a, b) => compareStrings(a.name, b.name));
}
