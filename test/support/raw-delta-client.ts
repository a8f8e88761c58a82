// A raw delta ADS test client: writes exactly the DeltaDiscoveryRequests a test gives it
// and queues the responses (no ACK logic of its own). Like raw-xds-client.ts it is
// independent of src/: the service comes from the protos through @grpc/proto-loader.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstStringField } from './raw-xds-client.js';
import type { RequestInput } from './raw-xds-client.js';

const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

export interface DeltaRequestInput {
  typeUrl?: string;
  subscribe?: string[];
  unsubscribe?: string[];
  initialResourceVersions?: Record<string, string>;
  responseNonce?: string;
  node?: RequestInput['node'];
  errorDetail?: { code: number; message: string };
}

export interface DeltaResponse {
  systemVersionInfo: string;
  typeUrl: string;
  nonce: string;
  removed: string[];
  resources: { name: string; version: string; typeUrl: string; value: Buffer }[];
  /** Resource names, in order. */
  names: string[];
}

let ctor: grpc.ServiceClientConstructor | undefined;
function clientCtor(): grpc.ServiceClientConstructor {
  if (ctor) return ctor;
  const def = protoLoader.loadSync('envoy/service/discovery/v3/ads.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: grpc.ServiceClientConstructor } } } };
  };
  ctor = pkg.envoy.service.discovery.v3.AggregatedDiscoveryService;
  return ctor;
}

function toValue(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return { nullValue: 'NULL_VALUE' };
}

export class RawDeltaClient {
  private readonly queue: DeltaResponse[] = [];
  private waiters: ((r: DeltaResponse) => void)[] = [];
  private readonly ended: Promise<grpc.StatusObject>;
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<unknown, unknown>;

  constructor(port: number, host = '127.0.0.1') {
    const Ctor = clientCtor();
    this.client = new Ctor(`${host}:${port}`, grpc.credentials.createInsecure());
    const method = (this.client as unknown as Record<string, () => grpc.ClientDuplexStream<unknown, unknown>>)['DeltaAggregatedResources'];
    this.call = method!.call(this.client);
    this.call.on('data', (m: unknown) => this.onResponse(m as Record<string, unknown>));
    this.ended = new Promise((resolve) => this.call.on('status', resolve));
    this.call.on('error', () => {});
  }

  private onResponse(m: Record<string, unknown>): void {
    type RawRes = { name: string; version: string; resource: { typeUrl?: string; type_url?: string; value: Buffer } | null };
    const resources = ((m['resources'] as RawRes[] | undefined) ?? []).map((r) => ({
      name: r.name,
      version: r.version,
      typeUrl: r.resource?.typeUrl ?? r.resource?.type_url ?? '',
      value: r.resource?.value ?? Buffer.alloc(0),
    }));
    const r: DeltaResponse = {
      systemVersionInfo: m['systemVersionInfo'] as string,
      typeUrl: m['typeUrl'] as string,
      nonce: m['nonce'] as string,
      removed: [...((m['removedResources'] as string[] | undefined) ?? [])],
      resources,
      names: resources.map((x) => x.name),
    };
    // The name inside the bytes must be the Resource's name.
    for (const x of resources) if (firstStringField(x.value) !== x.name) throw new Error(`resource ${x.name} carries another name`);
    const w = this.waiters.shift();
    if (w) w(r);
    else this.queue.push(r);
  }

  send(req: DeltaRequestInput): void {
    const msg: Record<string, unknown> = {
      typeUrl: req.typeUrl ?? '',
      resourceNamesSubscribe: req.subscribe ?? [],
      resourceNamesUnsubscribe: req.unsubscribe ?? [],
      initialResourceVersions: req.initialResourceVersions ?? {},
      responseNonce: req.responseNonce ?? '',
    };
    if (req.node) {
      const md = req.node.metadata ?? {};
      msg['node'] = { id: req.node.id, cluster: req.node.cluster ?? '', metadata: { fields: Object.fromEntries(Object.entries(md).map(([k, v]) => [k, toValue(v)])) } };
    }
    if (req.errorDetail) msg['errorDetail'] = req.errorDetail;
    this.call.write(msg);
  }

  ack(r: DeltaResponse): void {
    this.send({ typeUrl: r.typeUrl, responseNonce: r.nonce });
  }

  nack(r: DeltaResponse, message: string): void {
    this.send({ typeUrl: r.typeUrl, responseNonce: r.nonce, errorDetail: { code: 3, message } });
  }

  next(timeoutMs = 3000): Promise<DeltaResponse> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (r: DeltaResponse): void => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no DeltaDiscoveryResponse within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async expectNothing(windowMs = 300): Promise<void> {
    const got = await this.next(windowMs).then(
      (r) => r,
      () => undefined,
    );
    if (got) throw new Error(`expected no response, got ${got.typeUrl} [${got.names.join(',')}] removed [${got.removed.join(',')}]`);
  }

  status(timeoutMs = 3000): Promise<grpc.StatusObject> {
    return Promise.race([
      this.ended,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`stream not ended within ${timeoutMs} ms`)), timeoutMs)),
    ]);
  }

  cancel(): void {
    this.call.cancel();
    this.client.close();
  }
}
