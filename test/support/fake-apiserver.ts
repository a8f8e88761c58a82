// A fake Kubernetes API server speaking the list/watch wire protocol an informer depends
// on, faithfully enough to test reconnects: discovery (/api, /apis, /apis/G/V), paged
// lists (limit/continue, metadata.resourceVersion; items of built-in kinds without
// apiVersion/kind, as the real server sends them), chunked watch streams of JSON events
// (ADDED/MODIFIED/DELETED/BOOKMARK, ERROR with a 410 Status when the resourceVersion left
// the retained window), timeoutSeconds, 401/403/404 Status answers, and faults on demand:
// dropped connections, expired watches, compaction, stop and restart on the same port
// (state kept, or a new resourceVersion epoch as after an etcd restore).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResource {
  group: string;
  /** Versions served, preferred first. */
  versions: string[];
  resource: string;
  kind: string;
}

type Obj = Record<string, any>;
interface Event { rv: number; res: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: Obj }
interface Watcher { res: string; version: string; ns?: string; bookmarks: boolean; res_: http.ServerResponse }

const NETWORKING = ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'WorkloadEntry', 'Sidecar'];
const SECURITY = ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'];
const PLURAL: Record<string, string> = { ServiceEntry: 'serviceentries', WorkloadEntry: 'workloadentries', AuthorizationPolicy: 'authorizationpolicies', Endpoints: 'endpoints' };

/** What a cluster with Istio's CRDs serves; `omit` leaves kinds out (a CRD not installed). */
export function standardResources(opts: { networkingVersions?: string[]; omit?: string[]; endpointSlices?: boolean } = {}): FakeResource[] {
  const r = (group: string, versions: string[], kind: string): FakeResource => ({ group, versions, kind, resource: PLURAL[kind] ?? `${kind.toLowerCase()}s` });
  const all = [
    r('', ['v1'], 'Service'), r('', ['v1'], 'Pod'), r('', ['v1'], 'Endpoints'),
    ...(opts.endpointSlices === false ? [] : [r('discovery.k8s.io', ['v1'], 'EndpointSlice')]),
    ...NETWORKING.map((k) => r('networking.istio.io', opts.networkingVersions ?? ['v1', 'v1beta1', 'v1alpha3'], k)),
    ...SECURITY.map((k) => r('security.istio.io', ['v1', 'v1beta1'], k)),
  ];
  return all.filter((x) => !(opts.omit ?? []).includes(x.kind));
}

/** A kubeconfig for the fake (plain http needs insecure-skip-tls-verify with client-node 1.x). */
export function kubeconfigYaml(url: string, token = 'test-token', context = 'fake'): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster: { server: "${url}", insecure-skip-tls-verify: true }
users:
  - name: fake-user
    user: { token: "${token}" }
contexts:
  - name: ${context}
    context: { cluster: fake, user: fake-user }
current-context: ${context}
`;
}

const key = (r: { group: string; resource: string }) => (r.group === '' ? r.resource : `${r.resource}.${r.group}`);

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class FakeApiServer {
  /** Every resource ever registered (objects outlive an uninstalled CRD, as in etcd). */
  private readonly resources = new Map<string, FakeResource>();
  /** The resources served now. */
  private readonly served = new Set<string>();
  private readonly objects = new Map<string, Map<string, Obj>>();
  private history: Event[] = [];
  private rv = 100;
  /** Events at or below this resourceVersion are gone: watching from before it is 410. */
  private compactedRv = 100;
  private readonly watchers = new Set<Watcher>();
  private readonly snapshots = new Map<string, { rv: number; items: Obj[] }>();
  private readonly forbidden = new Set<string>();
  private server: http.Server | undefined;
  private nextId = 1;
  port = 0;
  /** Every request served, `METHOD path?query`, for assertions. */
  readonly requests: string[] = [];

  constructor(resources: FakeResource[], private readonly opts: { historySize?: number; token?: string } = {}) {
    for (const r of resources) this.addResource(r);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts every connection (watches end mid-stream, as in a crash). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const w of this.watchers) w.res_.destroy();
    this.watchers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Restarts on the same port; a new epoch forgets the watch history (every old resourceVersion is 410). */
  async restart(opts: { newEpoch?: boolean; downMs?: number } = {}): Promise<void> {
    await this.stop();
    if (opts.newEpoch) {
      this.rv += 100_000;
      this.compact();
    }
    await new Promise((r) => setTimeout(r, opts.downMs ?? 0));
    await this.start();
  }

  addResource(r: FakeResource): void {
    this.resources.set(key(r), r);
    this.served.add(key(r));
    if (!this.objects.has(key(r))) this.objects.set(key(r), new Map());
  }

  /** Uninstalls a CRD: later requests for it are 404 (its objects are kept for a reinstall). */
  removeResource(kind: string): void {
    for (const [k, r] of this.resources) if (r.kind === kind) this.served.delete(k);
  }

  forbid(resource: string, on = true): void {
    if (on) this.forbidden.add(resource);
    else this.forbidden.delete(resource);
  }

  /** Creates or replaces an object (by its apiVersion's group and kind); returns its resourceVersion. */
  apply(obj: Obj): string {
    const r = this.resourceOf(obj);
    const m = this.objects.get(key(r))!;
    const id = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
    const prev = m.get(id);
    const rv = String(++this.rv);
    const stored: Obj = structuredClone(obj);
    stored.metadata = {
      ...stored.metadata,
      namespace: obj.metadata.namespace ?? 'default',
      resourceVersion: rv,
      uid: prev?.metadata.uid ?? `uid-${this.nextId++}`,
      creationTimestamp: prev?.metadata.creationTimestamp ?? '2024-01-01T00:00:00Z',
    };
    m.set(id, stored);
    this.emit({ rv: this.rv, res: key(r), type: prev ? 'MODIFIED' : 'ADDED', obj: stored });
    return rv;
  }

  delete(apiVersion: string, kind: string, namespace: string, name: string): void {
    const r = this.resourceOf({ apiVersion, kind });
    const m = this.objects.get(key(r))!;
    const prev = m.get(`${namespace}/${name}`);
    if (!prev) throw new Error(`fake apiserver: no ${kind} ${namespace}/${name}`);
    m.delete(`${namespace}/${name}`);
    const gone = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ rv: this.rv, res: key(r), type: 'DELETED', obj: gone });
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that allowed them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      const r = this.resources.get(w.res);
      const apiVersion = r && r.group !== '' ? `${r.group}/${w.version}` : w.version;
      this.write(w, { type: 'BOOKMARK', object: { kind: r?.kind, apiVersion, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Cuts every open watch without a word (a proxy or load balancer dropping connections). */
  dropWatches(): void {
    for (const w of this.watchers) w.res_.destroy();
    this.watchers.clear();
  }

  /** Ends every watch with an ERROR event carrying a 410 Status, and compacts history. */
  expireWatches(): void {
    this.compact();
    for (const w of this.watchers) {
      this.write(w, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${this.compactedRv}`) });
      w.res_.end();
    }
    this.watchers.clear();
  }

  /** Forgets the watch history: watches from an older resourceVersion get 410. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  openWatches(resource?: string): number {
    return [...this.watchers].filter((w) => resource === undefined || w.res === resource).length;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  private resourceOf(obj: Obj): FakeResource {
    const [group, version] = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/') : ['', obj.apiVersion];
    for (const r of this.resources.values()) if (r.group === group && r.kind === obj.kind && r.versions.includes(version)) return r;
    throw new Error(`fake apiserver: ${obj.apiVersion} ${obj.kind} is not served`);
  }

  private emit(e: Event): void {
    this.history.push(e);
    const max = this.opts.historySize ?? 1000;
    while (this.history.length > max) this.compactedRv = this.history.shift()!.rv;
    for (const w of this.watchers) if (w.res === e.res) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: Event): void {
    if (w.ns !== undefined && e.obj.metadata.namespace !== w.ns) return;
    this.write(w, { type: e.type, object: this.render(e.obj, this.resources.get(w.res)!, w.version, true) });
  }

  private write(w: Watcher, ev: Obj): void {
    if (!w.res_.destroyed) w.res_.write(`${JSON.stringify(ev)}\n`);
  }

  /** Objects carry the requested version; list items of built-in kinds carry no type at all. */
  private render(obj: Obj, r: FakeResource, version: string, withType: boolean): Obj {
    const out: Obj = { ...obj, apiVersion: r.group === '' ? version : `${r.group}/${version}`, kind: r.kind };
    if (!withType) {
      delete out.apiVersion;
      delete out.kind;
    }
    return out;
  }

  private send(res: http.ServerResponse, code: number, body: Obj): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.opts.token !== undefined && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const segs = url.pathname.split('/').filter((s) => s !== '');
    if (url.pathname === '/api') return this.send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (url.pathname === '/apis') return this.send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups() });
    if (segs[0] === 'api' && segs.length === 2) return this.resourceList(res, '', segs[1]!);
    if (segs[0] === 'apis' && segs.length === 2) {
      const g = this.groups().find((x) => x.name === segs[1]);
      return g ? this.send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g }) : this.notFound(res);
    }
    if (segs[0] === 'apis' && segs.length === 3) return this.resourceList(res, segs[1]!, segs[2]!);
    // /api/v1/[namespaces/NS/]RES or /apis/G/V/[namespaces/NS/]RES
    const [group, version, rest] = segs[0] === 'api' ? ['', segs[1], segs.slice(2)] : [segs[1], segs[2], segs.slice(3)];
    const ns = rest.length === 3 && rest[0] === 'namespaces' ? rest[1] : undefined;
    const plural = rest.length === 1 ? rest[0] : ns !== undefined ? rest[2] : undefined;
    const r = this.resources.get(key({ group: group ?? '', resource: plural ?? '' }));
    if (!r || !this.served.has(key(r)) || !r.versions.includes(version ?? '')) return this.notFound(res);
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    if (this.forbidden.has(r.resource)) {
      const verb = watch ? 'watch' : 'list';
      const scope = ns === undefined ? 'at the cluster scope' : `in the namespace "${ns}"`;
      const msg = `${key(r)} is forbidden: User "system:serviceaccount:istio-system:mini-istiod" cannot ${verb} resource "${r.resource}" in API group "${r.group}" ${scope}`;
      return this.send(res, 403, status(403, 'Forbidden', msg));
    }
    if (watch) this.watch(req, res, url, r, version!, ns);
    else this.list(res, url, r, version!, ns);
  }

  private notFound(res: http.ServerResponse): void {
    this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }

  private groups(): Obj[] {
    const byGroup = new Map<string, string[]>();
    for (const r of this.resources.values()) {
      if (r.group === '' || !this.served.has(key(r))) continue;
      const vs = byGroup.get(r.group) ?? [];
      for (const v of r.versions) if (!vs.includes(v)) vs.push(v);
      byGroup.set(r.group, vs);
    }
    return [...byGroup].map(([name, vs]) => ({
      name,
      versions: vs.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${vs[0]}`, version: vs[0] },
    }));
  }

  private resourceList(res: http.ServerResponse, group: string, version: string): void {
    const rs = [...this.resources.values()].filter((r) => this.served.has(key(r)) && r.group === group && r.versions.includes(version));
    if (rs.length === 0 && group !== '') return this.notFound(res);
    const resources = rs.flatMap((r) => [
      { name: r.resource, singularName: r.kind.toLowerCase(), namespaced: true, kind: r.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      { name: `${r.resource}/status`, singularName: '', namespaced: true, kind: r.kind, verbs: ['get', 'patch', 'update'] },
    ]);
    this.send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources });
  }

  private list(res: http.ServerResponse, url: URL, r: FakeResource, version: string, ns: string | undefined): void {
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const cont = url.searchParams.get('continue');
    let snap: { rv: number; items: Obj[] };
    let offset = 0;
    if (cont) {
      const t = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as { id: string; offset: number; rv: number };
      const s = this.snapshots.get(t.id);
      if (!s || t.rv < this.compactedRv) {
        return this.send(res, 410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'));
      }
      snap = s;
      offset = t.offset;
    } else {
      const items = [...this.objects.get(key(r))!.entries()]
        .filter(([id]) => ns === undefined || id.startsWith(`${ns}/`))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, o]) => o);
      snap = { rv: this.rv, items };
    }
    const end = limit > 0 ? Math.min(snap.items.length, offset + limit) : snap.items.length;
    const metadata: Obj = { resourceVersion: String(snap.rv) };
    if (end < snap.items.length) {
      const id = String(this.nextId++);
      this.snapshots.set(id, snap);
      metadata.continue = Buffer.from(JSON.stringify({ id, offset: end, rv: snap.rv })).toString('base64');
      metadata.remainingItemCount = snap.items.length - end;
    }
    const crd = r.group.endsWith('istio.io');
    const items = snap.items.slice(offset, end).map((o) => this.render(o, r, version, crd));
    this.send(res, 200, { kind: `${r.kind}List`, apiVersion: r.group === '' ? version : `${r.group}/${version}`, metadata, items });
  }

  private watch(req: http.IncomingMessage, res: http.ServerResponse, url: URL, r: FakeResource, version: string, ns: string | undefined): void {
    const from = url.searchParams.get('resourceVersion') ?? '';
    const w: Watcher = { res: key(r), version, ns, bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true', res_: res };
    // Chunked transfer, as the API server streams watches.
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    if (from !== '' && from !== '0' && Number(from) < this.compactedRv) {
      this.write(w, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`) });
      return void res.end();
    }
    if (from === '' || from === '0') {
      for (const o of this.objects.get(key(r))!.values()) this.deliver(w, { rv: 0, res: key(r), type: 'ADDED', obj: o });
    } else {
      for (const e of this.history) if (e.res === key(r) && e.rv > Number(from)) this.deliver(w, e);
    }
    this.watchers.add(w);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const done = () => {
      clearTimeout(timer);
      this.watchers.delete(w);
    };
    res.on('close', done);
    req.on('close', done);
  }
}
