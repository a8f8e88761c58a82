// The service registry derived from the store: Kubernetes Services and ServiceEntries
// become Services, and each gets its endpoints. Output is sorted (services by hostname,
// endpoints by address, port, port name) so that equal input always gives equal output.
import { byCreation } from './config-order.js';
import { compareEndpoints, indexWorkloads } from './registry-index.js';
import { kubeServiceEndpoints, kubeServiceToService } from './registry-kube.js';
import { serviceEntryEndpoints, serviceEntryToServices } from './registry-service-entry.js';
import type { Endpoint, Service } from './service.js';
import type { ConfigStoreReader } from './store.js';

export interface Registry {
  services: Service[];
  endpointsByHost: Map<string, Endpoint[]>;
}

/**
 * Services, one per hostname. When several sources claim a hostname, the Kubernetes
 * Service wins, then the oldest ServiceEntry (the order Istio uses to pick a canonical
 * service).
 */
export function buildServices(store: ConfigStoreReader): Service[] {
  const byHost = new Map<string, Service>();
  for (const svc of store.list('Service')) {
    const s = kubeServiceToService(svc);
    byHost.set(s.hostname, s);
  }
  for (const se of [...store.list('ServiceEntry')].sort(byCreation)) {
    for (const s of serviceEntryToServices(se)) if (!byHost.has(s.hostname)) byHost.set(s.hostname, s);
  }
  return [...byHost.values()].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}

/** Endpoints for each of `services` (every hostname gets an entry, maybe empty). */
export function buildEndpoints(store: ConfigStoreReader, services: readonly Service[]): Map<string, Endpoint[]> {
  const idx = indexWorkloads(store);
  const out = new Map<string, Endpoint[]>();
  for (const service of services) {
    let eps: Endpoint[] = [];
    if (service.origin === 'kubernetes') {
      const obj = store.get('Service', service.namespace, service.name);
      if (obj) eps = kubeServiceEndpoints(idx, obj, service);
    } else {
      const obj = store.get('ServiceEntry', service.namespace, service.name);
      if (obj) eps = serviceEntryEndpoints(idx, obj, service);
    }
    out.set(service.hostname, eps.sort(compareEndpoints));
  }
  return out;
}

export function buildRegistry(store: ConfigStoreReader): Registry {
  const services = buildServices(store);
  return { services, endpointsByHost: buildEndpoints(store, services) };
}
