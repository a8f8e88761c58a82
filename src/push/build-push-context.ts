// Builds the immutable PushContext a push translates from: the registry (services and
// endpoints), VirtualServices indexed by host in Istio's merge order, and one merged
// DestinationRule per host.
import type { ConfigObject } from '../model/config.js';
import { byCreation } from '../model/config-order.js';
import { deepEqual } from '../model/deep-equal.js';
import { resolveHost } from '../model/host.js';
import type { DestinationRuleSpec } from '../model/istio-types.js';
import { buildEndpoints, buildServices } from '../model/registry.js';
import type { Endpoint, Service } from '../model/service.js';
import type { ConfigStoreReader } from '../model/store.js';
import type { MeshConfig, PushContext } from './push-context.js';

/** Sidecars only see VirtualServices bound to the mesh: no `gateways`, or one naming `mesh`. */
function appliesToMesh(vs: ConfigObject<'VirtualService'>): boolean {
  const gw = vs.spec.gateways;
  return !gw || gw.length === 0 || gw.includes('mesh');
}

export function indexVirtualServices(store: ConfigStoreReader): Map<string, ConfigObject<'VirtualService'>[]> {
  const out = new Map<string, ConfigObject<'VirtualService'>[]>();
  for (const vs of [...store.list('VirtualService')].sort(byCreation)) {
    if (!appliesToMesh(vs)) continue;
    // A VirtualService naming one host twice (e.g. `reviews` and its FQDN) is listed once.
    const hosts = new Set((vs.spec.hosts ?? []).map((h) => resolveHost(h, vs.metadata.namespace)));
    for (const h of hosts) {
      const list = out.get(h);
      if (list) list.push(vs);
      else out.set(h, [vs]);
    }
  }
  return out;
}

/**
 * Istio's behaviour (pilot/pkg/model destination_rule.go, mergeDestinationRule): rules for
 * one host are taken oldest first; the first rule's traffic policy and exportTo win (a
 * later rule's policy is used only when none is set yet), subsets are concatenated, and a
 * subset name already defined keeps its first definition. The merged rule carries the
 * oldest rule's metadata and origin.
 * Simplifications: Istio merges per namespace and picks by the proxy's namespace; we have
 * one mesh-wide view, so all rules for a host merge. Rules with a workloadSelector apply
 * only to the workloads they select, which a per-host index cannot express: they are left
 * out here.
 */
export function indexDestinationRules(store: ConfigStoreReader): Map<string, ConfigObject<'DestinationRule'>> {
  const out = new Map<string, ConfigObject<'DestinationRule'>>();
  for (const dr of [...store.list('DestinationRule')].sort(byCreation)) {
    if (dr.spec.workloadSelector) continue;
    const h = resolveHost(dr.spec.host, dr.metadata.namespace);
    const prev = out.get(h);
    if (!prev) {
      out.set(h, dr);
      continue;
    }
    const merged: DestinationRuleSpec = { ...prev.spec, subsets: [...(prev.spec.subsets ?? [])] };
    const names = new Set(merged.subsets?.map((s) => s.name));
    for (const s of dr.spec.subsets ?? []) if (!names.has(s.name)) merged.subsets?.push(s);
    if (merged.trafficPolicy === undefined && dr.spec.trafficPolicy !== undefined) merged.trafficPolicy = dr.spec.trafficPolicy;
    out.set(h, { ...prev, spec: merged });
  }
  return out;
}

function freezeContext(p: PushContext): PushContext {
  return Object.freeze(p);
}

export function buildPushContext(store: ConfigStoreReader, mesh: MeshConfig, version: string): PushContext {
  const services = buildServices(store);
  const endpointsByHost: ReadonlyMap<string, readonly Endpoint[]> = buildEndpoints(store, services);
  return freezeContext({
    version,
    mesh,
    services: Object.freeze(services),
    serviceByHost: new Map(services.map((s): [string, Service] => [s.hostname, s])),
    endpointsByHost,
    virtualServicesByHost: indexVirtualServices(store),
    destinationRuleByHost: indexDestinationRules(store),
    gateways: Object.freeze([...store.list('Gateway')].sort(byCreation)),
    virtualServices: Object.freeze([...store.list('VirtualService')].sort(byCreation)),
    sidecars: Object.freeze([...store.list('Sidecar')].sort(byCreation)),
  });
}

/**
 * For an endpoint-only (EDS) push: recomputes endpoints for prev's services and shares
 * every other map with prev. `changedHosts` lists hostnames whose endpoint list differs.
 */
export function updateEndpoints(
  prev: PushContext,
  store: ConfigStoreReader,
  version: string,
): { push: PushContext; changedHosts: Set<string> } {
  const endpointsByHost = buildEndpoints(store, prev.services);
  const changedHosts = new Set<string>();
  for (const host of new Set([...prev.endpointsByHost.keys(), ...endpointsByHost.keys()])) {
    if (!deepEqual(prev.endpointsByHost.get(host) ?? [], endpointsByHost.get(host) ?? [])) changedHosts.add(host);
  }
  // Nothing moved: keep prev's map so consumers can compare by identity.
  const endpoints: ReadonlyMap<string, readonly Endpoint[]> = changedHosts.size === 0 ? prev.endpointsByHost : endpointsByHost;
  return { push: freezeContext({ ...prev, version, endpointsByHost: endpoints }), changedHosts };
}
