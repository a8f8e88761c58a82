// Informer: one collection (a kind, cluster-wide or in one namespace) mirrored by list then
// watch, the way client-go's reflector does it:
//  - a paged list (limit/continue) gives a consistent snapshot and its resourceVersion;
//  - a watch from that resourceVersion streams every change after it; when the server ends
//    the watch (its timeoutSeconds, a restart) the next one resumes from the last
//    resourceVersion seen, and BOOKMARK events move that forward without any change;
//  - 410 Gone (the resourceVersion left the server's window) relists, and the relist is
//    diffed against what is held: objects missing from it are removed, unchanged ones
//    (same resourceVersion) are not touched, so nothing is lost or doubled;
//  - any other failure retries after an exponential, capped backoff.
import type { BackoffOptions } from './backoff.js';
import { Backoff, sleep } from './backoff.js';
import { KubeApiError, type KubeClient, type WatchEvent } from './kube-client.js';
import { apiVersionOf, collectionPath, type ServedKind } from './resources.js';

export type RawObject = Record<string, unknown>;
export type Verb = 'list' | 'watch';

export interface InformerHandlers {
  /** An object was added or changed (by a list or a watch event). */
  upsert(obj: RawObject): void;
  /** An object is gone: deleted, or missing from a relist. */
  remove(namespace: string, name: string): void;
  /** A list or watch failed and will be retried after a backoff. */
  error(err: unknown, verb: Verb): void;
  /** The collection is not served (404): the informer has stopped. */
  notFound(verb: Verb): void;
  /** A full list was applied (`relist`: not the first one). */
  listed(count: number, relist: boolean): void;
}

export interface InformerOptions {
  client: KubeClient;
  kind: ServedKind;
  /** Watch one namespace; undefined = every namespace. */
  namespace?: string;
  handlers: InformerHandlers;
  backoff?: BackoffOptions;
  /** Objects per list page (default 500, as client-go). */
  pageSize?: number;
  /** Server-side watch duration; default a random 5–10 min (client-go's spread). */
  watchTimeoutSeconds?: number;
  /** Per list page (default 60 s). */
  listTimeoutMs?: number;
}

/** 410 Gone: from a watch request, an ERROR event, or an expired continue token. */
function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 410;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function meta(obj: RawObject): { namespace: string; name: string; resourceVersion: string } {
  const m = isRecord(obj['metadata']) ? obj['metadata'] : {};
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return { namespace: s(m['namespace']), name: s(m['name']), resourceVersion: s(m['resourceVersion']) };
}

export class Informer {
  /** What is held: `ns/name` → resourceVersion, to diff a relist against. */
  private readonly known = new Map<string, string>();
  private rv = '';
  private readonly ac = new AbortController();
  private readonly backoff: Backoff;
  private loop: Promise<void> | undefined;
  private syncedOnce = false;
  private resolveSynced!: () => void;
  /** Resolves once the first full list has been handed to the handlers. */
  readonly synced: Promise<void> = new Promise((r) => (this.resolveSynced = r));

  constructor(private readonly opts: InformerOptions) {
    this.backoff = new Backoff(opts.backoff);
  }

  get hasSynced(): boolean {
    return this.syncedOnce;
  }

  /** The resourceVersion a resumed watch would start from. */
  get resourceVersion(): string {
    return this.rv;
  }

  /** Number of objects held. */
  get size(): number {
    return this.known.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.ac.abort();
    await this.loop;
  }

  private get path(): string {
    return collectionPath(this.opts.kind, this.opts.namespace);
  }

  private async run(): Promise<void> {
    const signal = this.ac.signal;
    let needList = true;
    let lastGone = false;
    while (!signal.aborted) {
      let verb: Verb = 'list';
      try {
        if (needList) {
          await this.list();
          needList = false;
          this.backoff.reset();
        }
        verb = 'watch';
        const started = Date.now();
        const events = await this.watchOnce();
        lastGone = false;
        if (events > 0) this.backoff.reset();
        // A server that ends every watch at once must not make us spin.
        else if (Date.now() - started < 1000) await sleep(this.backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          // Relist at once; only a second 410 in a row (a list whose continue token
          // expired again) waits, so a server stuck answering 410 is not hammered.
          needList = true;
          if (lastGone) await sleep(this.backoff.next(), signal);
          lastGone = true;
          continue;
        }
        lastGone = false;
        if (err instanceof KubeApiError && err.code === 404) {
          this.opts.handlers.notFound(verb);
          return;
        }
        this.opts.handlers.error(err, verb);
        // A failed watch resumes from the last resourceVersion; a failed list starts over.
        await sleep(this.backoff.next(), signal);
      }
    }
  }

  /** A full paged list, applied only once complete: a consistent snapshot, then the diff. */
  private async list(): Promise<void> {
    const { kind, pageSize = 500, listTimeoutMs = 60_000 } = this.opts;
    const items: RawObject[] = [];
    let cont = '';
    let listRv = '';
    do {
      const q = new URLSearchParams({ limit: String(pageSize) });
      if (cont !== '') q.set('continue', cont);
      const page = await this.opts.client.getJson(`${this.path}?${q}`, { timeoutMs: listTimeoutMs, signal: this.ac.signal });
      const pageMeta = isRecord(page['metadata']) ? page['metadata'] : {};
      cont = typeof pageMeta['continue'] === 'string' ? pageMeta['continue'] : '';
      if (listRv === '' && typeof pageMeta['resourceVersion'] === 'string') listRv = pageMeta['resourceVersion'];
      for (const item of Array.isArray(page['items']) ? page['items'] : []) {
        if (!isRecord(item)) continue;
        // Items of built-in kinds come without apiVersion/kind in a list: restore them, so
        // that they validate like the same object from a file or a watch event.
        items.push({ ...item, apiVersion: item['apiVersion'] ?? apiVersionOf(kind), kind: item['kind'] ?? kind.kind });
      }
    } while (cont !== '');
    if (this.ac.signal.aborted) return;

    const relist = this.syncedOnce;
    const seen = new Map<string, string>();
    for (const item of items) {
      const m = meta(item);
      const key = `${m.namespace}/${m.name}`;
      seen.set(key, m.resourceVersion);
      if (this.known.get(key) !== m.resourceVersion || m.resourceVersion === '') this.opts.handlers.upsert(item);
    }
    for (const key of [...this.known.keys()].sort()) {
      if (seen.has(key)) continue;
      const slash = key.indexOf('/');
      this.opts.handlers.remove(key.slice(0, slash), key.slice(slash + 1));
    }
    this.known.clear();
    for (const [k, v] of seen) this.known.set(k, v);
    this.rv = listRv;
    this.opts.handlers.listed(items.length, relist);
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      this.resolveSynced();
    }
  }

  /** One watch request from this.rv; returns how many events it carried. */
  private async watchOnce(): Promise<number> {
    const timeout = this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const q = new URLSearchParams({ watch: 'true', resourceVersion: this.rv, allowWatchBookmarks: 'true', timeoutSeconds: String(timeout) });
    let count = 0;
    await this.opts.client.watch(
      `${this.path}?${q}`,
      (e) => {
        count += 1;
        this.onEvent(e);
      },
      // The server ends the watch after timeoutSeconds; past that (plus slack) the
      // connection is presumed half-open and is cut, and the watch resumes.
      { deadlineMs: (timeout + 30) * 1000, signal: this.ac.signal },
    );
    return count;
  }

  private onEvent(e: WatchEvent): void {
    if (e.type === 'ERROR') {
      const st = e.object;
      const code = typeof st['code'] === 'number' ? st['code'] : 500;
      throw new KubeApiError(code, typeof st['reason'] === 'string' ? st['reason'] : 'Error', typeof st['message'] === 'string' ? st['message'] : '');
    }
    const m = meta(e.object);
    const key = `${m.namespace}/${m.name}`;
    switch (e.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.known.set(key, m.resourceVersion);
        this.opts.handlers.upsert(e.object);
        break;
      case 'DELETED':
        if (this.known.delete(key)) this.opts.handlers.remove(m.namespace, m.name);
        break;
      case 'BOOKMARK':
        break;
      default:
        // An event type this client does not know: skip it, but keep its position.
        break;
    }
    if (m.resourceVersion !== '') this.rv = m.resourceVersion;
  }
}
