// KubeSource: the Kubernetes API server feeding a ConfigStore. Discovery picks the version
// each kind is served at; one informer per kind (per namespace with --namespaces) mirrors
// it; every object goes through the same validation as a file's (validateObject), and is
// its own store owner, `kube:<Kind>/<ns>/<name>`. An invalid object logs one line and its
// last good version stays. A kind whose CRD is not installed is reported once and looked
// for again every rediscoverMs; the others work meanwhile.
import type { Logger } from 'pino';
import type { ConfigKey, ObjectOrigin } from '../../model/config.js';
import type { ObjectValidationError } from '../../model/errors.js';
import { validateObject } from '../../model/schemas/index.js';
import type { ConfigStore } from '../../model/store.js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { discover } from './discovery.js';
import { Informer, type RawObject, type Verb } from './informer.js';
import { KubeApiError, KubeClient } from './kube-client.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { ENDPOINTS_FALLBACK, WATCHED_KINDS, describeResource, objectPath, type ServedKind, type WatchedKind } from './resources.js';

export interface KubeSourceOptions {
  kubeConfig: KubeConfig;
  store: ConfigStore;
  logger: Logger;
  /** Watch only these namespaces; empty or undefined = all. */
  namespaces?: readonly string[];
  /** How often kinds not served (CRDs not installed) are looked for again (default 30 s). */
  rediscoverMs?: number;
  backoff?: BackoffOptions;
  pageSize?: number;
  watchTimeoutSeconds?: number;
  /** Override the watched kinds (tests). */
  kinds?: readonly WatchedKind[];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function metaOf(raw: RawObject): { namespace: string; name: string } {
  const m = typeof raw['metadata'] === 'object' && raw['metadata'] !== null ? (raw['metadata'] as Record<string, unknown>) : {};
  return { namespace: str(m['namespace']) || 'default', name: str(m['name']) };
}

export class KubeSource {
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly ac = new AbortController();
  private readonly informers = new Map<string, Informer>();
  /** Informers that have neither synced nor found their kind gone. */
  private readonly pending = new Set<string>();
  private missing: WatchedKind[] = [];
  private readonly errorsByOwner = new Map<string, ObjectValidationError[]>();
  private readonly skippedLogged = new Set<string>();
  /** Owners this source has written objects for. */
  private readonly ownedKeys = new Set<string>();
  /** Last error logged per informer (and 'conn' for the server), so repeats stay quiet. */
  private readonly lastError = new Map<string, string>();
  private discovered = false;
  private rediscoverTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private resolveSynced!: () => void;
  private isSynced = false;
  /** Resolves once discovery is done and every served kind has been listed once. */
  readonly synced: Promise<void> = new Promise((r) => (this.resolveSynced = r));

  constructor(private readonly opts: KubeSourceOptions) {
    this.client = new KubeClient(opts.kubeConfig);
    this.log = opts.logger.child({ source: 'kubernetes' });
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  /** Starts discovery and the informers; does not wait for them (see `synced`). */
  async start(): Promise<void> {
    // Fail fast on what no retry can fix (client-node refuses plain http unless
    // insecure-skip-tls-verify is set; unreadable certificate files).
    await this.client.checkConfig();
    this.log.info({ server: this.client.serverUrl, namespaces: this.namespaces() ?? 'all' }, 'watching the Kubernetes API server');
    this.running = this.discoverUntilDone();
  }

  async close(): Promise<void> {
    this.ac.abort();
    clearTimeout(this.rediscoverTimer);
    await this.running;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  /** Current validation problems, by object (for the debug surface). */
  errors(): ObjectValidationError[] {
    return [...this.errorsByOwner.keys()].sort().flatMap((o) => this.errorsByOwner.get(o) ?? []);
  }

  private namespaces(): readonly string[] | undefined {
    return this.opts.namespaces && this.opts.namespaces.length > 0 ? this.opts.namespaces : undefined;
  }

  private async discoverUntilDone(): Promise<void> {
    const backoff = new Backoff(this.opts.backoff);
    const kinds = this.opts.kinds ?? WATCHED_KINDS;
    while (!this.ac.signal.aborted) {
      try {
        const { served, missing } = await discover(this.client, kinds, this.ac.signal);
        this.clearError('conn');
        this.clearError('discovery');
        const noSlices = missing.find((k) => k.kind === 'EndpointSlice');
        if (noSlices) {
          this.log.info('discovery.k8s.io/v1 is not served: reading v1 Endpoints instead of EndpointSlices');
          served.push({ ...ENDPOINTS_FALLBACK, version: 'v1' });
        }
        this.missing = missing.filter((k) => k !== noSlices);
        for (const k of this.missing) this.warnMissing(k);
        for (const k of served) this.startKind(k);
        this.discovered = true;
        this.checkSynced();
        this.scheduleRediscovery();
        return;
      } catch (err) {
        if (this.ac.signal.aborted) return;
        this.reportError('discovery', err, 'discover', 'the API groups (GET /apis)');
        await sleep(backoff.next(), this.ac.signal);
      }
    }
  }

  private warnMissing(k: WatchedKind): void {
    const every = Math.round((this.opts.rediscoverMs ?? 30_000) / 1000);
    this.log.warn(
      { group: k.group, versions: k.versions, resource: k.resource },
      `${k.group}/${k.versions[0]} ${k.resource} is not served by the API server (tried ${k.versions.join(', ')}): is its CRD installed? ${k.kind} objects are not read; looking again every ${every}s`,
    );
  }

  /** Looks for the missing kinds again; they are not retried once found. */
  private scheduleRediscovery(): void {
    if (this.missing.length === 0 || this.ac.signal.aborted || this.rediscoverTimer) return;
    this.rediscoverTimer = setTimeout(() => {
      this.rediscoverTimer = undefined;
      void discover(this.client, this.missing, this.ac.signal)
        .then(({ served, missing }) => {
          this.missing = missing;
          for (const k of served) {
            this.log.info({ resource: describeResource(k) }, `${describeResource(k)} is now served: watching ${k.kind}`);
            this.startKind(k);
          }
        })
        .catch((err: unknown) => this.log.debug({ err }, 'rediscovery failed; will retry'))
        .finally(() => this.scheduleRediscovery());
    }, this.opts.rediscoverMs ?? 30_000);
  }

  private startKind(k: ServedKind): void {
    // A rediscovery that finishes after close() must not start informers nobody stops.
    if (this.ac.signal.aborted) return;
    for (const ns of this.namespaces() ?? [undefined]) {
      const id = `${describeResource(k)}${ns === undefined ? '' : ` in ${ns}`}`;
      if (this.informers.has(id)) continue;
      const informer: Informer = new Informer({
        client: this.client,
        kind: k,
        namespace: ns,
        backoff: this.opts.backoff,
        pageSize: this.opts.pageSize,
        watchTimeoutSeconds: this.opts.watchTimeoutSeconds,
        handlers: {
          upsert: (obj) => {
            this.clearError(id);
            this.clearError('conn');
            this.upsert(k, obj);
          },
          remove: (namespace, name) => this.remove(k, namespace, name),
          listed: (count, relist) => {
            this.clearError(id);
            this.clearError('conn');
            this.log.debug({ resource: id, objects: count }, relist ? 'relisted' : 'listed');
            if (this.pending.delete(id)) this.checkSynced();
          },
          error: (err, verb) => this.reportError(id, err, verb, id),
          notFound: (verb) => this.onNotFound(k, ns, id, informer, verb),
        },
      });
      this.informers.set(id, informer);
      this.pending.add(id);
      informer.start();
    }
  }

  /** The CRD went away after discovery: drop its objects and look for it again later. */
  private onNotFound(k: ServedKind, ns: string | undefined, id: string, informer: Informer, verb: Verb): void {
    this.log.warn({ resource: id, verb }, `${describeResource(k)} is no longer served (404 on ${verb}): was its CRD removed? Dropping its objects`);
    this.informers.delete(id);
    for (const owner of this.ownersOf(k.kind, ns)) this.opts.store.replace(owner, []);
    void informer.stop();
    if (!this.missing.some((m) => m.kind === k.kind)) this.missing.push(k);
    if (this.pending.delete(id)) this.checkSynced();
    this.scheduleRediscovery();
  }

  /** The store owners of one informer's objects: a kind, in one namespace or all. */
  private ownersOf(kind: string, namespace: string | undefined): string[] {
    const prefix = namespace === undefined ? `kube:${kind}/` : `kube:${kind}/${namespace}/`;
    return [...this.ownedKeys].filter((o) => o.startsWith(prefix));
  }

  private checkSynced(): void {
    if (this.isSynced || !this.discovered || this.pending.size > 0) return;
    this.isSynced = true;
    this.log.info({ kinds: this.informers.size, missing: this.missing.map((k) => k.kind) }, 'Kubernetes informers synced');
    this.resolveSynced();
  }

  private upsert(k: ServedKind, raw: RawObject): void {
    const { namespace, name } = metaOf(raw);
    const owner = `kube:${k.kind}/${namespace}/${name}`;
    const origin: ObjectOrigin = { source: 'kubernetes', location: objectPath(k, namespace, name) };
    const r = validateObject(raw, origin, this.firstSeen);
    if (r.status === 'skipped') {
      if (!this.skippedLogged.has(k.kind)) {
        this.skippedLogged.add(k.kind);
        this.log.debug({ kind: k.kind }, `${k.kind} objects are watched but not modelled yet: skipped`);
      }
      return;
    }
    if (r.status === 'invalid') {
      this.errorsByOwner.set(owner, r.errors);
      const first = r.errors[0];
      // One line per object: the first problem, and how many more there are.
      this.log.error(
        { kind: k.kind, object: `${namespace}/${name}`, field: first?.field || undefined, location: origin.location, problems: r.errors.length },
        `${first?.message ?? 'invalid object'}${r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : ''}; keeping the last good version`,
      );
      return;
    }
    if (this.errorsByOwner.delete(owner)) this.log.info({ kind: k.kind, object: `${namespace}/${name}` }, `${k.kind} ${namespace}/${name}: fixed, applying`);
    this.ownedKeys.add(owner);
    this.opts.store.replace(owner, [r.object]);
  }

  private remove(k: ServedKind, namespace: string, name: string): void {
    const owner = `kube:${k.kind}/${namespace || 'default'}/${name}`;
    this.errorsByOwner.delete(owner);
    if (this.ownedKeys.delete(owner)) this.opts.store.replace(owner, []);
  }

  /** API objects carry creationTimestamp; this is only for one that somehow does not. */
  private readonly firstSeenAt = new Map<string, string>();
  private firstSeen = (key: ConfigKey): string => {
    const k = `${key.kind}/${key.namespace}/${key.name}`;
    let t = this.firstSeenAt.get(k);
    if (t === undefined) this.firstSeenAt.set(k, (t = new Date().toISOString()));
    return t;
  };

  /** Logs a failure once; the same failure again stays at debug until something succeeds. */
  private reportError(id: string, err: unknown, verb: string, what: string): void {
    // Every informer fails at once when the server goes away: one line for all of them.
    const key = err instanceof KubeApiError ? id : 'conn';
    const text = err instanceof KubeApiError ? describeFailure(err, verb, what) : describeUnreachable(err, this.client.serverUrl);
    // The server being away shows up as resets, then refusals: one line until it is back.
    if (this.lastError.get(key) === text || (key === 'conn' && this.lastError.has(key))) {
      this.log.debug({ err }, text);
      return;
    }
    this.lastError.set(key, text);
    const apiMessage = err instanceof KubeApiError ? err.apiMessage || undefined : undefined;
    if (err instanceof KubeApiError && (err.code === 401 || err.code === 403)) this.log.error({ resource: what, verb, apiMessage }, text);
    else this.log.warn({ resource: what, verb, apiMessage }, text);
  }

  private clearError(key: string): void {
    if (this.lastError.delete(key)) this.log.info({ resource: key === 'conn' ? undefined : key }, key === 'conn' ? 'API server reachable again' : `${key}: recovered`);
  }
}

/** The line a person needs: what failed, on what, and where to look. */
export function describeFailure(err: unknown, verb: string, what: string): string {
  if (err instanceof KubeApiError) {
    if (err.code === 403) return `forbidden: cannot ${verb} ${what}: check the ClusterRole`;
    if (err.code === 401) return `unauthorized: cannot ${verb} ${what}: check the kubeconfig's credentials`;
    return `cannot ${verb} ${what}: ${err.message}; retrying`;
  }
  return `cannot ${verb} ${what}: ${err instanceof Error ? err.message : String(err)}; retrying`;
}

function describeUnreachable(err: unknown, server: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return `API server ${server} unreachable (${code ?? (err instanceof Error ? err.message : String(err))}): retrying with backoff`;
}
