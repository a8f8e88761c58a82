// A bounded history of the config each connected proxy was sent, so the UI can show what a
// proxy holds at a version and diff two versions. Nothing is generated on the hot path:
// a version is recorded as (immutable PushContext, the proxy's subscriptions at that time),
// and the resources are generated again from those only when someone looks at them.
import type { PushContext } from '../../push/push-context.js';
import { PUSH_ORDER, SHORT_TYPE } from '../../translate/api.js';
import type { Resource, XdsTypeUrl } from '../../translate/api.js';
import { generators } from '../../translate/generators.js';
import type { Proxy } from '../../translate/proxy.js';

/** Versions kept per connection; older ones are dropped (a PushContext is the big part). */
export const VERSIONS_PER_PROXY = 10;

interface VersionRecord {
  version: string;
  at: Date;
  push: PushContext;
  /** typeUrl → the names subscribed when it was sent; undefined = wildcard (everything). */
  subscriptions: Map<XdsTypeUrl, string[] | undefined>;
}

interface ProxyHistory {
  proxy: Proxy;
  /** What the proxy subscribes to now, from its latest request per type. */
  subscriptions: Map<XdsTypeUrl, string[] | undefined>;
  versions: VersionRecord[];
}

function isXdsType(typeUrl: string): typeUrl is XdsTypeUrl {
  return Object.hasOwn(SHORT_TYPE, typeUrl);
}

export class ConfigHistory {
  /** By connection id: a reconnecting proxy starts a new history, as its stream does. */
  private readonly byConn = new Map<string, ProxyHistory>();

  connect(conn: string, proxy: Proxy): void {
    this.byConn.set(conn, { proxy, subscriptions: new Map(), versions: [] });
  }

  /** Frees everything kept for the connection (go-control-plane #597: per-node state must go). */
  disconnect(conn: string): void {
    this.byConn.delete(conn);
  }

  /** A request names what the proxy wants of a type; empty or "*" means everything. */
  request(conn: string, typeUrl: string, names: readonly string[]): void {
    const h = this.byConn.get(conn);
    if (!h || !isXdsType(typeUrl)) return;
    h.subscriptions.set(typeUrl, names.length === 0 || names.includes('*') ? undefined : [...names]);
  }

  /** A response of `version` went out; `push` is the PushContext it was generated from. */
  sent(conn: string, typeUrl: string, version: string, push: PushContext | undefined, at: Date): void {
    const h = this.byConn.get(conn);
    if (!h || !isXdsType(typeUrl) || !push || push.version !== version) return;
    const last = h.versions[h.versions.length - 1];
    if (last?.version === version) {
      last.subscriptions = new Map(h.subscriptions);
      return;
    }
    h.versions.push({ version, at, push, subscriptions: new Map(h.subscriptions) });
    if (h.versions.length > VERSIONS_PER_PROXY) h.versions.shift();
  }

  proxy(conn: string): Proxy | undefined {
    return this.byConn.get(conn)?.proxy;
  }

  /** Recorded versions, oldest first. */
  versions(conn: string): { version: string; at: string }[] {
    return (this.byConn.get(conn)?.versions ?? []).map((v) => ({ version: v.version, at: v.at.toISOString() }));
  }

  /**
   * What the proxy holds at `version` (the latest when undefined): for each type it
   * watches, what the generator gives for its subscribed names. Undefined if not kept.
   */
  resources(conn: string, version?: string): { version: string; resources: Resource[] } | undefined {
    const h = this.byConn.get(conn);
    if (!h) return undefined;
    const rec = version === undefined ? h.versions[h.versions.length - 1] : h.versions.find((v) => v.version === version);
    if (!rec) return undefined;
    const resources: Resource[] = [];
    for (const typeUrl of PUSH_ORDER) {
      if (!rec.subscriptions.has(typeUrl)) continue;
      const names = rec.subscriptions.get(typeUrl);
      const wanted = names && new Set(names);
      // LDS/CDS generators return the full set; a named subscription (gRPC) gets only those.
      const out = generators[typeUrl].generate(rec.push, h.proxy, names);
      resources.push(...(wanted ? out.filter((r) => wanted.has(r.name)) : out));
    }
    return { version: rec.version, resources };
  }
}
