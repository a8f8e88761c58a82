// The host vocabulary of Sidecar egress listeners: `namespace/dnsName` entries parsed into
// an import table, and Istio's wildcard host matching. Pure helpers shared by the scope
// builder (what a proxy sees) and affectsProxy (what could have changed for it).
import type { IstioEgressListener } from '../model/istio-types.js';

// Istio's "import everything" (hosts `*` slash `*`): the egress listener of a proxy without a
// Sidecar, or of a Sidecar without egress.
export const IMPORT_EVERYTHING: IstioEgressListener = Object.freeze({ hosts: ['*/*'] });

/**
 * One egress listener's hosts, by namespace: `explicit` holds the `ns/...` entries (with
 * `.` already replaced by the proxy's namespace), `wildcard` the ones whose namespace is `*`. `~/...`
 * names no namespace, so it lands in `explicit` under `~` and matches nothing.
 */
export interface HostImports {
  explicit: ReadonlyMap<string, readonly string[]>;
  wildcard: readonly string[] | undefined;
}

export function parseEgressHosts(hosts: readonly string[], configNamespace: string): HostImports {
  const explicit = new Map<string, string[]>();
  const wildcard: string[] = [];
  for (const h of hosts) {
    const slash = h.indexOf('/');
    // The schema rejects hosts without a namespace; be total anyway (Istio skips them).
    if (slash <= 0) continue;
    const rawNs = h.slice(0, slash);
    const dns = h.slice(slash + 1).toLowerCase();
    if (rawNs === '*') {
      wildcard.push(dns);
      continue;
    }
    const ns = rawNs === '.' ? configNamespace : rawNs;
    const list = explicit.get(ns) ?? [];
    list.push(dns);
    explicit.set(ns, list);
  }
  return { explicit, wildcard: wildcard.length > 0 ? wildcard : undefined };
}

function isWildcard(h: string): boolean {
  return h === '*' || h.startsWith('*.');
}

/**
 * Istio's host.Name.SubsetOf: every name `a` stands for is also matched by `b`.
 * `*` covers everything; `*.example.com` covers `a.example.com`, `a.b.example.com` and
 * `*.b.example.com`, but not `example.com`; an exact name covers only itself.
 */
export function hostSubsetOf(a: string, b: string): boolean {
  if (b === '*') return true;
  if (a === '*') return false;
  if (!isWildcard(b)) return a === b;
  const suffix = b.slice(1); // ".example.com"
  return isWildcard(a) ? a.slice(1).endsWith(suffix) : a.endsWith(suffix);
}

/** Istio's host.Name.Matches: the two names have at least one concrete name in common. */
export function hostsMatch(a: string, b: string): boolean {
  return hostSubsetOf(a, b) || hostSubsetOf(b, a);
}

/**
 * Whether the listener imports a service `hostname` living in `namespace`: an entry for
 * that namespace first, then the wildcard-namespace entries (Istio checks both, in that order).
 */
export function importsService(imports: HostImports, namespace: string, hostname: string): boolean {
  const h = hostname.toLowerCase();
  const explicit = imports.explicit.get(namespace);
  if (explicit?.some((e) => hostSubsetOf(h, e))) return true;
  return imports.wildcard?.some((e) => hostSubsetOf(h, e)) ?? false;
}

/**
 * Whether the listener imports a VirtualService of `namespace` naming `vsHost` (already
 * resolved to an FQDN). VirtualService hosts may be wildcards too, so matching is symmetric.
 */
export function importsVirtualServiceHost(imports: HostImports, namespace: string, vsHost: string): boolean {
  const h = vsHost.toLowerCase();
  const explicit = imports.explicit.get(namespace);
  if (explicit?.some((e) => hostsMatch(h, e))) return true;
  return imports.wildcard?.some((e) => hostsMatch(h, e)) ?? false;
}

/** Whether anything at all from `namespace` can be imported (a namespace-level bound). */
export function importsFromNamespace(imports: HostImports, namespace: string): boolean {
  return imports.wildcard !== undefined || imports.explicit.has(namespace);
}

/** Istio's exportTo check: empty/absent = public; `.` = own namespace; `~` = nobody. */
export function exportedTo(exportTo: readonly string[] | undefined, ownNamespace: string, namespace: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  return exportTo.some((e) => e === '*' || e === namespace || (e === '.' && ownNamespace === namespace));
}
