// Which proxies an endpoint-only (EDS) push must also recompute CDS and LDS for. Endpoints
// reach beyond EDS in two places (src/translate):
//   - DNS-resolved services become STRICT_DNS/LOGICAL_DNS clusters that inline their
//     endpoints (clusters.ts dnsLoadAssignment): every proxy's CDS may change;
//   - a sidecar's inbound listeners and clusters follow the endpoints carrying its own IP
//     (sidecar-inbound.ts): only the proxies whose IP was or is among the moved endpoints.
// Istio re-pushes such proxies fully; we recompute their CDS and LDS and let the hash
// comparison send only what changed. Keep in step with src/translate.
import type { PushContext } from '../push/push-context.js';
import { usesEds } from '../translate/endpoints.js';
import type { Proxy } from '../translate/proxy.js';

/** Decides per proxy; built once per push. */
export type RefreshTest = (proxy: Proxy) => boolean;

const NONE: RefreshTest = () => false;
const ALL: RefreshTest = () => true;

/**
 * `hosts` are the hosts whose endpoints moved from `prev` to `push`; undefined (unknown)
 * refreshes every proxy.
 */
export function endpointRefresh(prev: PushContext | undefined, push: PushContext, hosts: ReadonlySet<string> | undefined): RefreshTest {
  if (hosts === undefined || prev === undefined) return ALL;
  if (hosts.size === 0) return NONE;
  const ips = new Set<string>();
  for (const h of hosts) {
    for (const ctx of [prev, push]) {
      const svc = ctx.serviceByHost.get(h);
      // Not EDS (DNS or passthrough): its clusters carry endpoints inline.
      if (svc && !usesEds(svc)) return ALL;
      for (const e of ctx.endpointsByHost.get(h) ?? []) ips.add(e.address);
    }
  }
  return (proxy) => proxy.ips.some((ip) => ips.has(ip));
}
