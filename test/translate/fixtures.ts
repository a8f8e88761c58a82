// Hand-built PushContexts for unit tests (the golden tests go through the real model).
import type { ConfigObject } from '../../src/model/config.js';
import type { DestinationRuleSpec, VirtualServiceSpec } from '../../src/model/istio-types.js';
import type { Endpoint, Service } from '../../src/model/service.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig, type PushContext } from '../../src/push/push-context.js';
import { newContext, type TranslateContext } from '../../src/translate/context.js';
import type { TranslateWarning } from '../../src/translate/api.js';
import { parseProxy, type Proxy } from '../../src/translate/proxy.js';

export function service(name: string, ns: string, ports: Service['ports'], extra: Partial<Service> = {}): Service {
  return {
    hostname: `${name}.${ns}.svc.cluster.local`, name, namespace: ns, addresses: ['10.96.0.1'], ports, labels: {},
    selector: { app: name }, resolution: 'STATIC', location: 'MESH_INTERNAL', exportTo: ['*'], origin: 'kubernetes', ...extra,
  };
}

export function endpoint(address: string, port: number, portName: string, extra: Partial<Endpoint> = {}): Endpoint {
  return { address, port, servicePortName: portName, labels: {}, locality: { region: '', zone: '', subZone: '' }, weight: 1, healthy: true, ...extra };
}

function meta(name: string, ns: string, created = '2024-01-01T00:00:00Z') {
  return { name, namespace: ns, labels: {}, annotations: {}, creationTimestamp: created };
}

export function vs(name: string, ns: string, spec: VirtualServiceSpec): ConfigObject<'VirtualService'> {
  return { kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', metadata: meta(name, ns), spec, origin: { source: 'test', location: 'x' } };
}

export function dr(name: string, ns: string, spec: DestinationRuleSpec): ConfigObject<'DestinationRule'> {
  return { kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1', metadata: meta(name, ns), spec, origin: { source: 'test', location: 'x' } };
}

export function push(opts: {
  services: Service[];
  endpoints?: Record<string, Endpoint[]>;
  vs?: Record<string, ConfigObject<'VirtualService'>[]>;
  dr?: Record<string, ConfigObject<'DestinationRule'>>;
  mesh?: Partial<MeshConfig>;
}): PushContext {
  const services = [...opts.services].sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
  return {
    version: 't1',
    mesh: { ...DEFAULT_MESH_CONFIG, ...opts.mesh },
    services,
    serviceByHost: new Map(services.map((s) => [s.hostname, s])),
    endpointsByHost: new Map(Object.entries(opts.endpoints ?? {})),
    virtualServicesByHost: new Map(Object.entries(opts.vs ?? {})),
    destinationRuleByHost: new Map(Object.entries(opts.dr ?? {})),
  };
}

export const SIDECAR: Proxy = parseProxy({ id: 'sidecar~10.1.0.1~app-1.default~default.svc.cluster.local', metadata: { LABELS: { app: 'app' } } });
export const GRPC: Proxy = parseProxy({ id: 'client', metadata: { GENERATOR: 'grpc', NAMESPACE: 'default' } });

export function ctxFor(p: PushContext, proxy: Proxy = SIDECAR): { ctx: TranslateContext; warnings: TranslateWarning[] } {
  const warnings: TranslateWarning[] = [];
  return { ctx: newContext(p, proxy, (w) => warnings.push(w)), warnings };
}
