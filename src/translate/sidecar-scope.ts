// SidecarScope (Istio's pilot/pkg/model/sidecar.go, re-derived): which Sidecar applies to a
// proxy, and what that makes visible to it — services (per egress listener, ports trimmed to
// the listener's port), the VirtualServices it imports, and its outbound traffic policy.
// Scopes are built once per (push, Sidecar, namespace) and shared by every proxy they fit.
import type { ConfigObject } from '../model/config.js';
import { resolveHost } from '../model/host.js';
import type { IstioEgressListener, VirtualServiceSpec } from '../model/istio-types.js';
import type { Service } from '../model/service.js';
import type { MeshConfig, PushContext } from '../push/push-context.js';
import type { TranslateWarning } from './api.js';
import { compareStrings } from './context.js';
import type { Proxy } from './proxy.js';
import {
  IMPORT_EVERYTHING,
  exportedTo,
  importsService,
  importsVirtualServiceHost,
  parseEgressHosts,
  type HostImports,
} from './sidecar-hosts.js';
import { sidecarWarnings } from './sidecar-warnings.js';
import { isVisibleTo } from './services.js';

export type OutboundPolicy = MeshConfig['outboundTrafficPolicy'];

export interface EgressScope {
  /** The Sidecar's listener, or import-everything for the default scope. */
  listener: IstioEgressListener;
  imports: HostImports;
}

export interface SidecarScope {
  /** `NS/NAME` of the Sidecar that applies, or `default` (no Sidecar: mesh-wide defaults). */
  readonly id: string;
  /** The namespace the scope was computed for (the proxy's: `./*` means this one). */
  readonly configNamespace: string;
  readonly sidecar: ConfigObject<'Sidecar'> | undefined;
  readonly egress: readonly EgressScope[];
  /** Visible services, sorted by hostname, one per hostname, ports trimmed by egress ports. */
  readonly services: readonly Service[];
  readonly serviceByHost: ReadonlyMap<string, Service>;
  /** Mesh VirtualServices this scope imports (exportTo and egress hosts), by host key. */
  readonly virtualServicesByHost: ReadonlyMap<string, readonly ConfigObject<'VirtualService'>[]>;
  /** Every imported VirtualService as `NS/NAME` (affectsProxy reads this). */
  readonly importedVirtualServices: ReadonlySet<string>;
  readonly outboundTrafficPolicy: OutboundPolicy;
  /** Unsupported fields and conflicts, reported once per translation (deduplicated). */
  readonly warnings: readonly TranslateWarning[];
}

function selectorLabels(sc: ConfigObject<'Sidecar'>): Record<string, string> | undefined {
  const labels = sc.spec.workloadSelector?.labels;
  // Istio treats a selector without labels as no selector: the Sidecar is namespace-wide.
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export interface SidecarChoice {
  sidecar: ConfigObject<'Sidecar'> | undefined;
  /** Other Sidecars that would have applied at the same level (Istio: the oldest wins). */
  ignored: ConfigObject<'Sidecar'>[];
}

/**
 * Istio's order: a Sidecar in the proxy's namespace whose workloadSelector matches its
 * labels, else the namespace's selector-less Sidecar, else the root namespace's
 * selector-less Sidecar, else none. `push.sidecars` is oldest first, so [0] wins ties.
 * Gateways (routers) never take a Sidecar: Istio gives them the exportTo-only default.
 */
export function chooseSidecar(push: PushContext, proxy: Proxy): SidecarChoice {
  if (proxy.kind === 'router') return { sidecar: undefined, ignored: [] };
  const all = push.sidecars ?? [];
  const inNs = all.filter((s) => s.metadata.namespace === proxy.namespace);
  const levels = [
    inNs.filter((s) => {
      const sel = selectorLabels(s);
      return sel !== undefined && selects(sel, proxy.labels);
    }),
    inNs.filter((s) => selectorLabels(s) === undefined),
    all.filter((s) => s.metadata.namespace === push.mesh.rootNamespace && selectorLabels(s) === undefined),
  ];
  for (const level of levels) {
    if (level.length > 0) return { sidecar: level[0], ignored: level.slice(1) };
  }
  return { sidecar: undefined, ignored: [] };
}

/** Destination hosts of a VirtualService (routes and mirrors), resolved in its namespace. */
export function virtualServiceDestinations(vs: ConfigObject<'VirtualService'>): string[] {
  const spec: VirtualServiceSpec = vs.spec;
  const hosts: string[] = [];
  for (const r of spec.http ?? []) {
    for (const d of r.route ?? []) hosts.push(d.destination.host);
    if (r.mirror) hosts.push(r.mirror.host);
    for (const m of r.mirrors ?? []) hosts.push(m.destination.host);
  }
  for (const r of [...(spec.tcp ?? []), ...(spec.tls ?? [])]) for (const d of r.route ?? []) hosts.push(d.destination.host);
  return hosts.map((h) => resolveHost(h, vs.metadata.namespace));
}

/** The service trimmed to the egress listener's port (Istio's serviceMatchingListenerPort). */
function trimToListenerPort(svc: Service, listener: IstioEgressListener): Service | undefined {
  const portNumber = listener.port?.number;
  if (portNumber === undefined) return svc;
  const p = svc.ports.find((sp) => sp.port === portNumber);
  return p ? { ...svc, ports: [p] } : undefined;
}

/** Every mesh VirtualService once, in the index's (merge) order. */
function meshVirtualServices(push: PushContext): ConfigObject<'VirtualService'>[] {
  const seen = new Set<string>();
  const out: ConfigObject<'VirtualService'>[] = [];
  for (const list of push.virtualServicesByHost.values()) {
    for (const vs of list) {
      const k = `${vs.metadata.namespace}/${vs.metadata.name}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(vs);
      }
    }
  }
  return out;
}

function vsKey(vs: ConfigObject<'VirtualService'>): string {
  return `${vs.metadata.namespace}/${vs.metadata.name}`;
}

function buildScope(push: PushContext, configNamespace: string, sidecar: ConfigObject<'Sidecar'> | undefined): SidecarScope {
  const listeners = sidecar?.spec.egress && sidecar.spec.egress.length > 0 ? sidecar.spec.egress : [IMPORT_EVERYTHING];
  const egress: EgressScope[] = listeners.map((l) => ({ listener: l, imports: parseEgressHosts(l.hosts, configNamespace) }));
  const exported = push.services.filter((s) => isVisibleTo(s, configNamespace));
  const byHostAll = new Map<string, Service[]>();
  for (const s of exported) byHostAll.set(s.hostname, [...(byHostAll.get(s.hostname) ?? []), s]);

  const chosen = new Map<string, Service>();
  const add = (svc: Service): void => {
    const prior = chosen.get(svc.hostname);
    if (!prior) {
      chosen.set(svc.hostname, svc);
      return;
    }
    // Several listeners import one service on different ports: Istio merges the ports,
    // but only for the same namespace's service (a hostname has one owner per scope).
    if (prior.namespace !== svc.namespace) return;
    const ports = [...prior.ports];
    for (const p of svc.ports) if (!ports.some((q) => q.port === p.port)) ports.push(p);
    chosen.set(svc.hostname, { ...prior, ports });
  };

  const allVs = meshVirtualServices(push).filter((vs) => exportedTo(vs.spec.exportTo, vs.metadata.namespace, configNamespace));
  const importedVs = new Set<string>();
  for (const e of egress) {
    const imported = exported.filter((s) => importsService(e.imports, s.namespace, s.hostname));
    // One namespace per hostname: the proxy's own namespace if it has one, else the first.
    const owner = new Map<string, string>();
    for (const s of imported) if (!owner.has(s.hostname) || s.namespace === configNamespace) owner.set(s.hostname, s.namespace);
    for (const s of imported) {
      if (owner.get(s.hostname) !== s.namespace) continue;
      const t = trimToListenerPort(s, e.listener);
      if (t) add(t);
    }
    const vses = allVs.filter((vs) =>
      (vs.spec.hosts ?? []).some((h) => importsVirtualServiceHost(e.imports, vs.metadata.namespace, resolveHost(h, vs.metadata.namespace))),
    );
    for (const vs of vses) importedVs.add(vsKey(vs));
    // Istio also imports what imported VirtualServices route to, without overriding an
    // explicit import: the proxy's namespace's service first, else the first namespace.
    for (const vs of vses) {
      for (const h of virtualServiceDestinations(vs)) {
        if (chosen.has(h)) continue;
        const candidates = [...(byHostAll.get(h) ?? [])].sort((a, b) => compareStrings(a.namespace, b.namespace));
        const svc = candidates.find((c) => c.namespace === configNamespace) ?? candidates[0];
        const t = svc && trimToListenerPort(svc, e.listener);
        if (t) add(t);
      }
    }
  }

  const services = [...chosen.values()].sort((a, b) => compareStrings(a.hostname, b.hostname));
  const vsByHost = new Map<string, ConfigObject<'VirtualService'>[]>();
  for (const [host, list] of push.virtualServicesByHost) {
    const kept = list.filter((vs) => importedVs.has(vsKey(vs)));
    if (kept.length > 0) vsByHost.set(host, kept);
  }
  return {
    id: sidecar ? `${sidecar.metadata.namespace}/${sidecar.metadata.name}` : 'default',
    configNamespace,
    sidecar,
    egress,
    services,
    serviceByHost: new Map(services.map((s) => [s.hostname, s])),
    virtualServicesByHost: vsByHost,
    importedVirtualServices: importedVs,
    outboundTrafficPolicy: sidecar?.spec.outboundTrafficPolicy?.mode ?? push.mesh.outboundTrafficPolicy,
    warnings: sidecar ? sidecarWarnings(sidecar) : [],
  };
}

// Keyed by what buildScope reads (services, VirtualServices, mesh, Sidecars), not by the
// PushContext: an endpoint-only push shares all four with its predecessor, so its scopes
// are the same objects and are not rebuilt (50 namespaces × every service) per pod change.
type ScopeBasis = [readonly Service[], PushContext['virtualServicesByHost'], MeshConfig, object];
const NO_SIDECARS: object = Object.freeze([]);
const cache = new WeakMap<object, WeakMap<object, WeakMap<object, WeakMap<object, Map<string, SidecarScope>>>>>();

function scopesOf(push: PushContext): Map<string, SidecarScope> {
  const basis: ScopeBasis = [push.services, push.virtualServicesByHost, push.mesh, push.sidecars ?? NO_SIDECARS];
  const l1 = getOrSet(cache, basis[0], () => new WeakMap());
  const l2 = getOrSet(l1, basis[1], () => new WeakMap());
  const l3 = getOrSet(l2, basis[2], () => new WeakMap());
  return getOrSet(l3, basis[3], () => new Map());
}

function getOrSet<V>(m: WeakMap<object, V>, k: object, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

/**
 * The scope a proxy gets from `choice` (chooseSidecar's answer) in this push; memoized per
 * (Sidecar, namespace), so every proxy it fits shares one object — and one cache key.
 */
export function scopeForChoice(push: PushContext, namespace: string, choice: SidecarChoice): SidecarScope {
  const sc = choice.sidecar;
  const key = `${sc ? `${sc.metadata.namespace}/${sc.metadata.name}` : 'default'}\u0000${namespace}`;
  const perPush = scopesOf(push);
  let scope = perPush.get(key);
  if (!scope) {
    scope = buildScope(push, namespace, sc);
    perPush.set(key, scope);
  }
  return scope;
}

export function sidecarScopeFor(push: PushContext, proxy: Proxy): SidecarScope {
  return scopeForChoice(push, proxy.namespace, chooseSidecar(push, proxy));
}

/** Several Sidecars competing for one proxy: Istio's behaviour is undefined, ours is "oldest". */
export function conflictWarnings(choice: SidecarChoice): TranslateWarning[] {
  const winner = choice.sidecar;
  if (!winner) return [];
  return choice.ignored.map((s) => ({
    object: `Sidecar ${s.metadata.namespace}/${s.metadata.name}`,
    field: s.spec.workloadSelector ? 'spec.workloadSelector' : 'metadata',
    message: `ignored: Sidecar ${winner.metadata.namespace}/${winner.metadata.name} applies to the same workloads and is older (one Sidecar per workload)`,
  }));
}
