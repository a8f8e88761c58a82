// The JSON the UI's pages read (/ui/api/*): everything it needs beyond /debug/*, shaped
// for the page: the overview (proxies with sync state, push timeline, NACKs), one proxy's
// resources at a version, and the line diff of two of its versions.
import { stringify } from 'yaml';
import { SHORT_TYPE } from '../../translate/api.js';
import type { Resource } from '../../translate/api.js';
import type { ConnectionSnapshot } from '../../xds/connection.js';
import type { NackEvent } from '../../xds/xds-server.js';
import type { RouteResult } from '../http-server.js';
import { diffLines, hunks } from './line-diff.js';
import type { UiRecorder } from './recorder.js';
import { proxyView } from './sync-status.js';

export interface ApiSources {
  xds: { connections(): ConnectionSnapshot[]; nackHistory(): NackEvent[] };
  recorder: UiRecorder;
  latestEventId(): number;
}

function notFound(message: string): RouteResult {
  return { status: 404, body: { error: message } };
}

function badRequest(message: string): RouteResult {
  return { status: 400, body: { error: message } };
}

function resourceView(r: Resource): { type: string; name: string; body: Resource['body'] } {
  return { type: SHORT_TYPE[r.typeUrl], name: r.name, body: r.body };
}

/** One YAML document per resource, headed by its type and name, for diffing by line. */
export function configYaml(resources: readonly Resource[]): string[] {
  return resources.flatMap((r) => [`--- # ${SHORT_TYPE[r.typeUrl]} ${r.name}`, ...stringify(r.body, { lineWidth: 0 }).trimEnd().split('\n')]);
}

/** GET /ui/api/state */
export function stateHandler(src: ApiSources): () => RouteResult {
  return () => {
    // The event id first: an event after it makes the page fetch again, so nothing is missed.
    const latestEvent = src.latestEventId();
    const proxies = src.xds
      .connections()
      .map((c) => ({ ...proxyView(c, src.recorder.kinds.get(c.id) ?? 'unknown'), versions: src.recorder.history.versions(c.id) }))
      .sort((a, b) => (a.proxy < b.proxy ? -1 : a.proxy > b.proxy ? 1 : 0));
    return {
      body: {
        latestEvent,
        proxies,
        pushes: src.recorder.timeline.list(),
        // Newest first; a copy, never the server's own array.
        nacks: [...src.xds.nackHistory()].reverse(),
      },
    };
  };
}

/** GET /ui/api/config?conn=ID[&version=V]: what the proxy holds (latest version by default). */
export function configHandler(src: ApiSources): (url: URL) => RouteResult {
  return (url) => {
    const conn = url.searchParams.get('conn');
    if (!conn) return badRequest('conn is required');
    const history = src.recorder.history;
    const proxy = history.proxy(conn);
    if (!proxy) return notFound(`no connection ${conn}`);
    const version = url.searchParams.get('version') ?? undefined;
    const got = history.resources(conn, version);
    if (!got) return notFound(version ? `version ${version} of ${conn} is not kept (only the last versions are)` : `nothing sent to ${conn} yet`);
    return {
      body: { conn, proxy: proxy.id, kind: proxy.kind, version: got.version, versions: history.versions(conn), resources: got.resources.map(resourceView) },
    };
  };
}

/** GET /ui/api/diff?conn=ID&from=V1&to=V2: unified-style hunks of the YAML of two versions. */
export function diffHandler(src: ApiSources): (url: URL) => RouteResult {
  return (url) => {
    const conn = url.searchParams.get('conn');
    const from = url.searchParams.get('from');
    const to = url.searchParams.get('to');
    if (!conn || !from || !to) return badRequest('conn, from and to are required');
    const a = src.recorder.history.resources(conn, from);
    const b = src.recorder.history.resources(conn, to);
    if (!a || !b) return notFound(`version ${!a ? from : to} of ${conn} is not kept`);
    const diff = diffLines(configYaml(a.resources), configYaml(b.resources));
    // Name each hunk's resource: the nearest document header (`--- # rds 9080`) above it.
    let header = '';
    let at = 0;
    const named = hunks(diff).map((hunk) => {
      const start = diff.indexOf(hunk.lines[0]!);
      for (; at <= start; at++) if (diff[at]!.text.startsWith('--- # ')) header = diff[at]!.text.slice(6);
      return { ...hunk, resource: header };
    });
    return {
      body: {
        conn,
        from,
        to,
        added: diff.filter((d) => d.op === '+').length,
        removed: diff.filter((d) => d.op === '-').length,
        hunks: named,
      },
    };
  };
}
