// What every builder gets: the snapshot, the proxy, and a sink for warnings. Builders are
// pure functions of (push, proxy); warnings are a side channel that generateAll collects
// and that the per-type generators discard (the debug surface asks generateAll).
import type { PushContext } from '../push/push-context.js';
import type { TranslateWarning } from './api.js';
import type { Proxy } from './proxy.js';
import type { ConfigObject, Kind } from '../model/config.js';

export interface TranslateContext {
  readonly push: PushContext;
  readonly proxy: Proxy;
  warn(w: TranslateWarning): void;
}

export function newContext(push: PushContext, proxy: Proxy, sink?: (w: TranslateWarning) => void): TranslateContext {
  return { push, proxy, warn: sink ?? (() => undefined) };
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
