// Registers the debug API on the monitoring HTTP server (Istio's 15014): syncz,
// config_dump, configz, config_errors, push_status, connections. JSON only, keys in a
// fixed order; the shapes are documented in docs/debug-api.md (the web UI reads them).
import type { PushController } from '../push/push-controller.js';
import type { Generator, XdsTypeUrl } from '../translate/api.js';
import { generators as defaultGenerators } from '../translate/generators.js';
import type { ConfigStoreReader } from '../model/store.js';
import type { XdsServer } from '../xds/xds-server.js';
import type { ConnectionSnapshot } from '../xds/connection.js';
import type { DebugHttpServer, RouteResult } from './http-server.js';
import { buildConfigErrors, buildConfigz, type ErrorSource } from './configz.js';
import { liveConfigDump } from './live-config-dump.js';
import { matchProxy, proxyOfSnapshot, type ProxyInfo } from './proxy-info.js';
import { DebugRecorder } from './recorder.js';
import { buildConnections, buildSyncz } from './syncz.js';

export interface DebugDeps {
  xds: Pick<XdsServer, 'connections' | 'observe' | 'nackHistory'>;
  controller: Pick<PushController, 'current' | 'lastPush'>;
  store: ConfigStoreReader;
  /** Sources that keep errors about rejected input (the file source). */
  sources?: readonly (ErrorSource | undefined)[];
  /** The translator; the server's own unless a test swaps it. */
  generators?: Partial<Record<XdsTypeUrl, Generator>>;
}

const error = (status: number, message: string, extra: Record<string, unknown> = {}): RouteResult => ({
  status,
  body: { error: message, ...extra },
});

/** Adds the /debug/* routes; returns a function that stops recording xDS events. */
export function registerDebugRoutes(http: Pick<DebugHttpServer, 'route'>, deps: DebugDeps): () => void {
  const recorder = new DebugRecorder();
  const stop = deps.xds.observe(recorder.observer);
  const gens = deps.generators ?? defaultGenerators;
  const info = (s: ConnectionSnapshot): ProxyInfo => proxyOfSnapshot(s, recorder.kindOf(s.id));
  const sources = (deps.sources ?? []).filter((s): s is ErrorSource => s !== undefined);

  http.route('/debug/syncz', () => ({ body: buildSyncz(deps.xds.connections(), info) }));
  http.route('/debug/connections', () => ({ body: buildConnections(deps.xds.connections(), info) }));
  http.route('/debug/configz', () => ({ body: buildConfigz(deps.store) }));
  http.route('/debug/config_errors', () => ({ body: buildConfigErrors(sources) }));

  http.route('/debug/push_status', () => {
    const last = deps.controller.lastPush();
    return {
      body: {
        version: last?.version ?? null,
        kind: last?.kind ?? null,
        events: last?.events ?? null,
        changed_hosts: last?.changedHosts ?? null,
        eds_clusters: last?.clusters ?? null,
        triggered_at: last?.triggeredAt ?? null,
        duration_ms: last?.durationMs ?? null,
        proxies: recorder.convergence(),
        nacks: deps.xds.nackHistory().map((n) => ({ proxy: n.proxy, type: n.type, nonce: n.nonce, version: n.version, message: n.message, time: n.time.toISOString() })),
      },
    };
  });

  http.route('/debug/config_dump', (url) => {
    const query = url.searchParams.get('proxyID') ?? '';
    if (query === '') return error(400, 'missing proxyID query parameter: /debug/config_dump?proxyID=<node id>');
    const snaps = deps.xds.connections();
    const m = matchProxy(query, snaps.map((s) => s.proxyId));
    if (!('id' in m)) {
      const why = m.matches.length === 0 ? `proxy "${query}" is not connected` : `proxy "${query}" is ambiguous`;
      return error(m.matches.length === 0 ? 404 : 400, why, { matches: m.matches });
    }
    // The newest stream of that proxy (a reconnecting proxy may briefly have two).
    const snap = snaps.filter((s) => s.proxyId === m.id).sort((a, b) => (a.connectedAt < b.connectedAt ? 1 : -1))[0] as ConnectionSnapshot;
    const p = info(snap).proxy;
    if (!p) return error(500, `cannot derive a proxy from node id "${m.id}"`);
    const push = deps.controller.current();
    if (!push) return error(503, 'no config pushed yet');
    return { body: liveConfigDump(push, p, snap, gens) };
  });

  return stop;
}
