// Which config changes matter to which proxy: the push engine asks before pushing, so that
// a change reaches only the proxies whose scope depends on it (Istio's
// SidecarScope.DependsOnConfig, checked against the new scope and the previous one). Pure,
// like the rest of the translator.
//
// The rule for every key: it matters if it could be part of what the proxy sees *after*
// the change (exact, from `push`) or *before* it (exact with `prev`; without it, bounded
// from above by what the proxy's Sidecar could import at all). A wrong false leaves a
// proxy stale, so every uncertainty answers true.
import type { ConfigKey } from '../model/config.js';
import { serviceHostname } from '../model/service.js';
import type { PushContext } from '../push/push-context.js';
import type { Proxy } from './proxy.js';
import { importsFromNamespace, importsService } from './sidecar-hosts.js';
import { chooseSidecar, sidecarScopeFor, virtualServiceDestinations, type SidecarScope } from './sidecar-scope.js';

/** Kinds the Sidecar scope tracks; everything else (Pods, endpoints, unknown) matters. */
const SCOPED_KINDS: ReadonlySet<string> = new Set(['Sidecar', 'Service', 'ServiceEntry', 'VirtualService', 'DestinationRule', 'Gateway']);

/** The hostnames a Service or ServiceEntry key stands for in `push` (empty when absent). */
function hostsOf(push: PushContext, key: ConfigKey): string[] {
  if (key.kind === 'Service') {
    const h = serviceHostname(key.name, key.namespace);
    return push.serviceByHost.get(h)?.origin === 'kubernetes' ? [h] : [];
  }
  return push.services
    .filter((s) => s.origin === 'serviceentry' && s.namespace === key.namespace && s.name === key.name)
    .map((s) => s.hostname);
}

function allImportedDestinations(push: PushContext, scope: SidecarScope): Set<string> {
  const out = new Set<string>();
  for (const list of push.virtualServicesByHost.values()) {
    for (const vs of list) {
      if (!scope.importedVirtualServices.has(`${vs.metadata.namespace}/${vs.metadata.name}`)) continue;
      for (const h of virtualServiceDestinations(vs)) out.add(h);
    }
  }
  return out;
}

/** Whether `key` names a delegate of a VirtualService the scope imports. */
function isImportedDelegate(push: PushContext, scope: SidecarScope, key: ConfigKey): boolean {
  for (const list of push.virtualServicesByHost.values()) {
    for (const vs of list) {
      if (!scope.importedVirtualServices.has(`${vs.metadata.namespace}/${vs.metadata.name}`)) continue;
      for (const r of vs.spec.http ?? []) {
        const d = r.delegate;
        if (d && d.name === key.name && (d.namespace ?? vs.metadata.namespace) === key.namespace) return true;
      }
    }
  }
  return false;
}

/** Exact: the key is part of what `scope` (computed from `push`) shows the proxy. */
function dependsExactly(push: PushContext, scope: SidecarScope, key: ConfigKey): boolean {
  switch (key.kind) {
    case 'Service':
    case 'ServiceEntry':
      return hostsOf(push, key).some((h) => scope.serviceByHost.has(h));
    case 'VirtualService':
      return scope.importedVirtualServices.has(`${key.namespace}/${key.name}`) || isImportedDelegate(push, scope, key);
    default:
      return true;
  }
}

/**
 * Upper bound for the state before the change when the previous push is unknown. The
 * scope's egress hosts are the same before and after (a Sidecar change answers true on its
 * own), and so is everything else in the batch that answered false, so the after-state's
 * imports are a sound reference.
 */
function couldHaveDepended(push: PushContext, scope: SidecarScope, key: ConfigKey): boolean {
  const fromNs = scope.egress.some((e) => importsFromNamespace(e.imports, key.namespace));
  switch (key.kind) {
    case 'Service': {
      // A Kubernetes Service's hostname is known even once deleted.
      const h = serviceHostname(key.name, key.namespace);
      return scope.egress.some((e) => importsService(e.imports, key.namespace, h)) || allImportedDestinations(push, scope).has(h);
    }
    case 'ServiceEntry':
      // Its former hosts are unknown: anything importable from its namespace, or any host
      // an imported VirtualService routes to, may have been one of them.
      return fromNs || allImportedDestinations(push, scope).size > 0;
    case 'VirtualService':
      // Former hosts and exportTo unknown; delegates (no hosts) are covered by the roots.
      return fromNs;
    default:
      return true;
  }
}

function keyAffects(push: PushContext, proxy: Proxy, scope: SidecarScope, key: ConfigKey, prev: PushContext | undefined): boolean {
  if (!SCOPED_KINDS.has(key.kind)) return true;
  const root = push.mesh.rootNamespace;
  switch (key.kind) {
    case 'Gateway':
      // Gateways shape router listeners only; mesh VirtualServices do not depend on them.
      return false;
    case 'Sidecar':
      // Any Sidecar of the proxy's namespace or the root namespace may now (or before)
      // be the one that applies; others never can.
      return key.namespace === proxy.namespace || key.namespace === root || (prev !== undefined && key.namespace === prev.mesh.rootNamespace);
    case 'DestinationRule':
      // DR lookup reads the proxy's namespace, each visible service's namespace and the
      // root namespace (dr-lookup.ts); a rule elsewhere cannot apply.
      return key.namespace === proxy.namespace || key.namespace === root || scope.services.some((s) => s.namespace === key.namespace) ||
        (prev !== undefined && sidecarScopeFor(prev, proxy).services.some((s) => s.namespace === key.namespace));
    default:
      break;
  }
  // Service / ServiceEntry of the proxy's own namespace can select it: inbound changes.
  if ((key.kind === 'Service' || key.kind === 'ServiceEntry') && proxy.kind === 'sidecar' && key.namespace === proxy.namespace) return true;
  if (dependsExactly(push, scope, key)) return true;
  if (prev) {
    const before = sidecarScopeFor(prev, proxy);
    return dependsExactly(prev, before, key);
  }
  return couldHaveDepended(push, scope, key);
}

/**
 * True when any of `changed` can alter what `proxy` receives from `push` (the snapshot
 * after the change). `prev`, the snapshot before it, makes the answer exact for services
 * and VirtualServices that left the proxy's scope; without it those are bounded by the
 * namespaces the proxy's Sidecar imports from. Gateways (routers) are not scoped: true.
 * An empty `changed` (nothing known) is true.
 */
export function affectsProxy(push: PushContext, proxy: Proxy, changed: readonly ConfigKey[], prev?: PushContext): boolean {
  if (proxy.kind === 'router' || changed.length === 0) return true;
  if (prev && prev.mesh.rootNamespace !== push.mesh.rootNamespace) return true;
  const scope = sidecarScopeFor(push, proxy);
  // The Sidecar that applies changed identity (e.g. labels moved): everything may differ.
  if (prev) {
    const a = chooseSidecar(push, proxy).sidecar;
    const b = chooseSidecar(prev, proxy).sidecar;
    if (a?.metadata.namespace !== b?.metadata.namespace || a?.metadata.name !== b?.metadata.name) return true;
  }
  return changed.some((k) => keyAffects(push, proxy, scope, k, prev));
}
