// Simulated ADS clients, many per process (forked by bench/run.ts). Each behaves like an
// Envoy sidecar: subscribes CDS and LDS (wildcard), ACKs every response, then subscribes
// EDS for the clusters and RDS for the route names it was given, following changes.
// SotW or delta. On `reconnect` every client drops its stream and opens a new one (delta
// clients send initial_resource_versions); refused streams retry with jittered backoff.
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { lookupType } from '../src/envoy/protos.js';
import { encodeDeltaRequest, encodeSotwRequest, firstString, scanDelta, scanSotw } from './client-wire.js';

const T = {
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
};
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

export interface WorkerClient {
  id: string;
  namespace: string;
}
export type ToWorker =
  | { cmd: 'start'; port: number; protocol: 'sotw' | 'delta'; clients: WorkerClient[] }
  | { cmd: 'reconnect' }
  /** Transport floor: open `count` streams of a bare method; answer each message with 1 byte. */
  | { cmd: 'floor'; port: number; count: number }
  | { cmd: 'stop' };
/** `cpuSeconds`: this process's CPU since it started or last reconnected its clients. */
export type FromWorker = { ev: 'started' } | { ev: 'stopped'; bytes: number; cpuSeconds: number };

const types = {
  listener: lookupType('envoy.config.listener.v3.Listener'),
  hcm: lookupType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'),
};

interface AnyMsg {
  type_url: string;
  value: Uint8Array;
}
// Listeners are shared by many clients of a process: decode each distinct one once.
const routeNamesByListener = new Map<string, string[]>();
function routeNames(listenerBytes: Uint8Array): string[] {
  const key = createHash('sha1').update(listenerBytes).digest('hex');
  let names = routeNamesByListener.get(key);
  if (names) return names;
  names = [];
  const l = types.listener.decode(listenerBytes) as unknown as { filterChains: { filters: { typedConfig: AnyMsg | null }[] }[] };
  for (const fc of l.filterChains) {
    for (const f of fc.filters) {
      if (f.typedConfig?.type_url !== HCM) continue;
      const hcm = types.hcm.decode(f.typedConfig.value) as unknown as { rds: { routeConfigName: string } | null };
      if (hcm.rds?.routeConfigName) names.push(hcm.rds.routeConfigName);
    }
  }
  routeNamesByListener.set(key, names);
  return names;
}

let bytesIn = 0;
const ident = (b: Buffer): Buffer => b;

// The clients of one worker hold the same names and mostly the same lists. One copy of each
// keeps the worker's heap small, so its garbage collections (frequent in a storm: every
// response is a fresh Buffer) do not charge the marking of 250 copies to the shared cores.
const names = new Map<string, string>();
function intern(s: string): string {
  const had = names.get(s);
  if (had !== undefined) return had;
  names.set(s, s);
  return s;
}
const lastLists = new Map<string, string[]>();
/** `list` (interned names), or the equal list another client of this worker already holds. */
function shareList(key: string, list: string[]): string[] {
  const last = lastLists.get(key);
  if (last && last.length === list.length && last.every((n, i) => n === list[i])) return last;
  lastLists.set(key, list);
  return list;
}

class SimClient {
  private call: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  private first = true;
  // SotW: per type the last nonce/version and the names requested.
  private readonly sotw = new Map<string, { nonce: string; version: string; names: string[] }>();
  // Delta: per type the versions held.
  private readonly held = new Map<string, Map<string, string>>();
  private edsNames: string[] = [];
  private rdsNames: string[] = [];
  private readonly listeners = new Map<string, Uint8Array>();
  private stopped = false;

  constructor(
    private readonly channel: grpc.Client,
    private readonly protocol: 'sotw' | 'delta',
    private readonly c: WorkerClient,
  ) {}

  open(): void {
    if (this.stopped) return;
    const delta = this.protocol === 'delta';
    const call = this.channel.makeBidiStreamRequest(ADS + (delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources'), ident, ident);
    this.call = call;
    this.first = true;
    call.on('data', (b: Buffer) => {
      bytesIn += b.length;
      if (delta) this.onDelta(b);
      else this.onSotw(b);
    });
    call.on('error', () => {});
    call.on('status', () => {
      if (this.call !== call || this.stopped) return;
      // Refused (rate limit) or dropped: retry with Envoy-like jittered backoff.
      setTimeout(() => this.open(), 250 + Math.random() * 750);
    });
    if (delta) {
      const sub = (t: string, names: string[]) => this.dsend({ typeUrl: t, resourceNamesSubscribe: names }, this.held.get(t));
      sub(T.CDS, ['*']);
      sub(T.LDS, ['*']);
      if (this.edsNames.length) sub(T.EDS, this.edsNames);
      if (this.rdsNames.length) sub(T.RDS, this.rdsNames);
    } else {
      this.sotw.clear();
      // Like Envoy after a reconnect: wildcard CDS and LDS, and at once the EDS and RDS names
      // it still follows (remembered, so that their ACKs repeat them).
      const sub = (typeUrl: string, names: string[]): void => {
        this.sotw.set(typeUrl, { nonce: '', version: '', names });
        this.ssend({ typeUrl, resourceNames: names });
      };
      sub(T.CDS, []);
      sub(T.LDS, []);
      if (this.edsNames.length) sub(T.EDS, this.edsNames);
      if (this.rdsNames.length) sub(T.RDS, this.rdsNames);
    }
  }

  reconnect(): void {
    const old = this.call;
    this.call = undefined;
    old?.cancel();
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.call?.cancel();
  }

  private node(): Record<string, unknown> | undefined {
    if (!this.first) return undefined;
    this.first = false;
    const ns = this.c.namespace;
    return { id: `sidecar~10.1.0.1~${this.c.id}.${ns}~${ns}.svc.cluster.local`, cluster: this.c.id, metadata: { fields: { NAMESPACE: { stringValue: ns } } } };
  }

  private ssend(m: { typeUrl: string; resourceNames: string[]; versionInfo?: string; responseNonce?: string }): void {
    const node = this.node();
    this.call?.write(encodeSotwRequest(node ? { ...m, node } : m));
  }

  private dsend(m: Record<string, unknown>, initialVersions?: ReadonlyMap<string, string>): void {
    const node = this.node();
    this.call?.write(encodeDeltaRequest(node ? { ...m, node } : m, initialVersions));
  }

  private onSotw(b: Buffer): void {
    const r = scanSotw(b);
    const prev = this.sotw.get(r.typeUrl);
    const names = prev?.names ?? [];
    this.sotw.set(r.typeUrl, { nonce: r.nonce, version: r.versionInfo, names });
    this.ssend({ typeUrl: r.typeUrl, versionInfo: r.versionInfo, responseNonce: r.nonce, resourceNames: names });
    if (r.typeUrl === T.CDS) this.follow(T.EDS, r.values.map(firstString).filter((n) => n.startsWith('outbound|')));
    if (r.typeUrl === T.LDS) {
      this.listeners.clear();
      for (const v of r.values) this.listeners.set(intern(firstString(v)), v);
      this.follow(T.RDS, [...this.listeners.values()].flatMap(routeNames));
    }
  }

  private onDelta(b: Buffer): void {
    const r = scanDelta(b);
    let held = this.held.get(r.typeUrl);
    if (!held) this.held.set(r.typeUrl, (held = new Map()));
    for (const x of r.resources) held.set(intern(x.name), intern(x.version));
    for (const n of r.removed) held.delete(n);
    this.dsend({ typeUrl: r.typeUrl, responseNonce: r.nonce });
    if (r.typeUrl === T.CDS) this.follow(T.EDS, [...held.keys()].filter((n) => n.startsWith('outbound|')));
    if (r.typeUrl === T.LDS) {
      for (const x of r.resources) if (x.value) this.listeners.set(intern(x.name), x.value);
      for (const n of r.removed) this.listeners.delete(n);
      this.follow(T.RDS, [...this.listeners.values()].flatMap(routeNames));
    }
  }

  /** Follows the names CDS/LDS point at: (re)subscribes EDS or RDS when they change. */
  private follow(typeUrl: string, wanted: string[]): void {
    const next = shareList(typeUrl, [...new Set(wanted.map(intern))].sort());
    const cur = typeUrl === T.EDS ? this.edsNames : this.rdsNames;
    if (next.length === cur.length && next.every((n, i) => n === cur[i])) return;
    if (typeUrl === T.EDS) this.edsNames = next;
    else this.rdsNames = next;
    if (this.protocol === 'delta') {
      const had = new Set(cur);
      const now = new Set(next);
      this.dsend({ typeUrl, resourceNamesSubscribe: next.filter((n) => !had.has(n)), resourceNamesUnsubscribe: cur.filter((n) => !now.has(n)) });
      const held = this.held.get(typeUrl);
      for (const n of cur) if (!now.has(n)) held?.delete(n);
    } else {
      const s = this.sotw.get(typeUrl);
      this.sotw.set(typeUrl, { nonce: s?.nonce ?? '', version: s?.version ?? '', names: next });
      this.ssend({ typeUrl, resourceNames: next, versionInfo: s?.version ?? '', responseNonce: s?.nonce ?? '' });
    }
  }
}

/** Opens simulated clients in this process (forked worker, or in-process for tests). */
export function openClients(port: number, protocol: 'sotw' | 'delta', list: WorkerClient[]): { reconnect(): void; stop(): number } {
  const chans: grpc.Client[] = [];
  // One channel (TCP connection) per client, as every Envoy has its own.
  const sims = list.map((c) => {
    const ch = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
    chans.push(ch);
    return new SimClient(ch, protocol, c);
  });
  sims.forEach((c) => c.open());
  return {
    reconnect: () => sims.forEach((c) => c.reconnect()),
    stop: () => {
      sims.forEach((c) => c.stop());
      chans.forEach((ch) => ch.close());
      return bytesIn;
    },
  };
}

/** Bare streams for the transport floor: each answers every message with 1 byte. */
export function openFloorClients(port: number, count: number): () => void {
  const chans: grpc.Client[] = [];
  for (let i = 0; i < count; i++) {
    const ch = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
    chans.push(ch);
    const call = ch.makeBidiStreamRequest('/bench.Floor/Fan', ident, ident);
    call.on('data', (b: Buffer) => {
      bytesIn += b.length;
      call.write(Buffer.alloc(1));
    });
    call.on('error', () => {});
    call.write(Buffer.alloc(1)); // hello: the server learns the stream
  }
  return () => chans.forEach((ch) => ch.close());
}

// Forked by bench/harness.ts: driven by messages from the bench process.
if (process.env['MINI_ISTIOD_BENCH_WORKER'] === '1' && process.send) {
  let opened: ReturnType<typeof openClients> | undefined;
  let closeFloor: (() => void) | undefined;
  let cpuSince = process.cpuUsage();
  process.on('message', (m: ToWorker) => {
    const send = (x: FromWorker): void => void process.send?.(x);
    if (m.cmd === 'start') {
      opened = openClients(m.port, m.protocol, m.clients);
      send({ ev: 'started' });
    } else if (m.cmd === 'floor') {
      closeFloor = openFloorClients(m.port, m.count);
      send({ ev: 'started' });
    } else if (m.cmd === 'reconnect') {
      cpuSince = process.cpuUsage();
      opened?.reconnect();
    } else {
      const bytes = opened?.stop() ?? 0;
      closeFloor?.();
      const cpu = process.cpuUsage(cpuSince);
      send({ ev: 'stopped', bytes, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
      setTimeout(() => process.exit(0), 50);
    }
  });
}
