// /debug/config_dump?proxyID=: what one connected proxy holds, per our records. The xDS
// server keeps hashes of what it sent, not the resources, so the resources are generated
// again from the current PushContext for that proxy, type by type, with the names it
// subscribed to (RDS and EDS carry only those; LDS and CDS are the full set). We never
// resend identical bytes, so for every type whose last response was ACKed this is exactly
// what the proxy runs; after a NACK it is what we offered (syncz says which).
import type { PushContext } from '../push/push-context.js';
import type { Generator, Resource, XdsTypeUrl } from '../translate/api.js';
import type { Proxy } from '../translate/proxy.js';
import type { ConnectionSnapshot } from '../xds/connection.js';
import { buildConfigDump } from './config-dump.js';

export function liveConfigDump(
  push: PushContext,
  proxy: Proxy,
  snap: ConnectionSnapshot,
  generators: Partial<Record<XdsTypeUrl, Generator>>,
): { configs: Record<string, unknown>[] } {
  const resources: Resource[] = [];
  const versions: Partial<Record<XdsTypeUrl, string>> = {};
  for (const w of snap.types) {
    const typeUrl = w.typeUrl as XdsTypeUrl;
    const gen = generators[typeUrl];
    // A type we never answered is not held by the proxy at all.
    if (!gen || !w.versionSent) continue;
    versions[typeUrl] = w.versionSent;
    resources.push(...gen.generate(push, proxy, w.wildcard ? undefined : w.names));
  }
  return buildConfigDump(resources, versions);
}
