// The benchmark's model: N services (HTTP port 80) spread over namespaces, each with some
// pods, turned straight into PushContexts. The bench feeds PushContexts to the push
// controller through a fake builder, so it measures debounce, push queue, translation,
// encoding and transport, not the Kubernetes registry (which has its own tests).
import type { ConfigObject } from '../src/model/config.js';
import { EMPTY_LOCALITY, serviceHostname } from '../src/model/service.js';
import type { Endpoint, Service } from '../src/model/service.js';
import { DEFAULT_MESH_CONFIG } from '../src/push/push-context.js';
import type { PushContext } from '../src/push/push-context.js';

export interface WorldSpec {
  services: number;
  podsPerService: number;
  namespaces: number;
  /**
   * Each proxy sees only its own namespace: every namespace has a Sidecar `default` with
   * egress hosts `./*` and `istio-system/*`, the usual way meshes scope their proxies.
   */
  scoped: boolean;
}

export class World {
  readonly services: Service[];
  private readonly endpoints = new Map<string, Endpoint[]>();
  private readonly vs = new Map<string, ConfigObject<'VirtualService'>[]>();
  private readonly sidecars: ConfigObject<'Sidecar'>[] = [];
  private ipCounter = 0;

  constructor(readonly spec: WorldSpec) {
    this.services = [];
    for (let i = 0; i < spec.services; i++) {
      const ns = namespaceOf(i % spec.namespaces);
      const name = `svc-${i}`;
      this.services.push({
        hostname: serviceHostname(name, ns),
        name,
        namespace: ns,
        addresses: [`10.96.${(i >> 8) & 255}.${i & 255}`],
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'HTTP' }],
        labels: { app: name },
        selector: { app: name },
        resolution: 'STATIC',
        location: 'MESH_INTERNAL',
        exportTo: ['*'],
        origin: 'kubernetes',
      });
    }
    this.services.sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
    if (spec.scoped) for (let n = 0; n < spec.namespaces; n++) this.sidecars.push(namespaceSidecar(namespaceOf(n)));
    for (const s of this.services) {
      this.endpoints.set(s.hostname, Array.from({ length: spec.podsPerService }, () => this.endpoint(s)));
    }
  }

  private endpoint(s: Service): Endpoint {
    const n = ++this.ipCounter;
    return {
      address: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      port: 8080,
      servicePortName: 'http',
      labels: { app: s.name },
      locality: EMPTY_LOCALITY,
      weight: 1,
      healthy: true,
      namespace: s.namespace,
    };
  }

  /** Replaces one pod of service `i` (a rollout step): returns its hostname. */
  replacePod(i: number): string {
    const s = this.services[i % this.services.length]!;
    const eps = [...(this.endpoints.get(s.hostname) ?? [])];
    eps.shift();
    eps.push(this.endpoint(s));
    eps.sort((a, b) => (a.address < b.address ? -1 : 1));
    this.endpoints.set(s.hostname, eps);
    return s.hostname;
  }

  /** Sets a VirtualService on service `i` with a timeout of `seconds` (a route change). */
  setVirtualService(i: number, seconds: number): ConfigObject<'VirtualService'> {
    const s = this.services[i % this.services.length]!;
    const vs: ConfigObject<'VirtualService'> = {
      kind: 'VirtualService',
      apiVersion: 'networking.istio.io/v1',
      metadata: { name: s.name, namespace: s.namespace, labels: {}, annotations: {}, creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { hosts: [s.hostname], http: [{ route: [{ destination: { host: s.hostname } }], timeout: `${seconds}s` }] },
      origin: { source: 'bench', location: 'bench' },
    };
    this.vs.set(s.hostname, [vs]);
    return vs;
  }

  push(version: string): PushContext {
    return {
      version,
      mesh: DEFAULT_MESH_CONFIG,
      services: this.services,
      serviceByHost: new Map(this.services.map((s) => [s.hostname, s])),
      endpointsByHost: new Map(this.endpoints),
      virtualServicesByHost: new Map(this.vs),
      destinationRuleByHost: new Map(),
      virtualServices: [...this.vs.values()].flat(),
      sidecars: this.sidecars,
    };
  }

  /** An EDS-only successor of `prev`: same maps but the endpoint index. */
  pushEndpoints(prev: PushContext, version: string): PushContext {
    return { ...prev, version, endpointsByHost: new Map(this.endpoints) };
  }
}

function namespaceSidecar(namespace: string): ConfigObject<'Sidecar'> {
  return {
    kind: 'Sidecar',
    apiVersion: 'networking.istio.io/v1',
    metadata: { name: 'default', namespace, labels: {}, annotations: {}, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] },
    origin: { source: 'bench', location: 'bench' },
  };
}

export function namespaceOf(i: number): string {
  return `ns-${i}`;
}
