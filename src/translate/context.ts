// What every builder gets: the proxy's view of the snapshot, the proxy, and a sink for
// warnings. Builders are pure functions of (push, proxy); warnings are a side channel that
// generateAll collects and that the per-type generators discard (the debug surface asks
// generateAll).
//
// `push` is scoped by the proxy's Sidecar (Istio's SidecarScope): its services, service
// index, mesh VirtualServices and outbound traffic policy are what the Sidecar (or the
// mesh default) lets this proxy see, so a builder reading ctx.push cannot leak a hidden
// service into LDS/RDS/CDS/EDS. `unscoped` is the whole snapshot, for the few questions that
// are not about visibility (which services select this pod, for inbound).
import type { PushContext } from '../push/push-context.js';
import type { TranslateWarning } from './api.js';
import type { Proxy } from './proxy.js';
import type { ConfigObject, Kind } from '../model/config.js';
import { chooseSidecar, conflictWarnings, scopeForChoice, type SidecarScope } from './sidecar-scope.js';

export interface TranslateContext {
  /** The proxy's scoped view of the snapshot (see above). */
  readonly push: PushContext;
  /** The whole, unscoped snapshot. */
  readonly unscoped: PushContext;
  readonly scope: SidecarScope;
  readonly proxy: Proxy;
  warn(w: TranslateWarning): void;
}

const views = new WeakMap<PushContext, WeakMap<SidecarScope, PushContext>>();

/** The scoped PushContext, built once per (push, scope) and frozen like the snapshot. */
export function scopedPush(push: PushContext, scope: SidecarScope): PushContext {
  let perPush = views.get(push);
  if (!perPush) {
    perPush = new WeakMap();
    views.set(push, perPush);
  }
  let view = perPush.get(scope);
  if (!view) {
    view = Object.freeze({
      ...push,
      mesh: Object.freeze({ ...push.mesh, outboundTrafficPolicy: scope.outboundTrafficPolicy }),
      services: scope.services,
      serviceByHost: scope.serviceByHost,
      virtualServicesByHost: scope.virtualServicesByHost,
    });
    perPush.set(scope, view);
  }
  return view;
}

export function newContext(push: PushContext, proxy: Proxy, sink?: (w: TranslateWarning) => void): TranslateContext {
  const choice = chooseSidecar(push, proxy);
  const scope = scopeForChoice(push, proxy.namespace, choice);
  const warn = sink ?? (() => undefined);
  if (sink) {
    // Reported with every translation that collects warnings; normalizeWarnings dedupes.
    for (const w of scope.warnings) sink(w);
    for (const w of conflictWarnings(choice)) sink(w);
  }
  return { push: scopedPush(push, scope), unscoped: push, scope, proxy, warn };
}

/** `VirtualService default/reviews`: how warnings name the object they are about. */
export function objectRef(obj: ConfigObject<Kind>): string {
  return `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`;
}

/** Sorts and de-duplicates warnings, so that output is deterministic whatever the build order. */
export function normalizeWarnings(ws: readonly TranslateWarning[]): TranslateWarning[] {
  const seen = new Map<string, TranslateWarning>();
  for (const w of ws) seen.set(`${w.object}\u0000${w.field}\u0000${w.message}`, w);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, w]) => w);
}

/** Code-point string comparison: locale-independent, so sorting is the same everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
