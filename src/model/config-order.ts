// Istio's order for config that merges or competes (VirtualServices for one host,
// DestinationRules, ServiceEntries, Sidecars): oldest creationTimestamp first, then
// namespace/name, compared by code point so the order is the same everywhere.
import type { ConfigObject, Kind } from './config.js';

export function byCreation(a: ConfigObject<Kind, unknown>, b: ConfigObject<Kind, unknown>): number {
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
