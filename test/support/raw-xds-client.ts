// A raw ADS test client: sends whatever DiscoveryRequests a test writes (no ACK logic of its
// own) and queues the responses, so tests can await the next one with a timeout or assert
// that nothing arrives within a window. Deliberately independent of src/: it loads the ADS
// service with @grpc/proto-loader, as any other xDS client would.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

export const TYPE = {
  LDS: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RDS: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  CDS: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  EDS: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const;

export interface RequestInput {
  typeUrl?: string;
  versionInfo?: string;
  resourceNames?: string[];
  responseNonce?: string;
  node?: { id: string; cluster?: string; metadata?: Record<string, unknown> };
  errorDetail?: { code: number; message: string };
}

export interface RawResponse {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  resources: { typeUrl: string; value: Buffer }[];
  /** Each resource's field 1 (name / cluster_name for LDS, RDS, CDS and EDS). */
  names: string[];
}

type ProtoValue = Record<string, unknown>;
function toValue(v: unknown): ProtoValue {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Record<string, unknown>) };
}
function toStruct(o: Record<string, unknown>): { fields: Record<string, ProtoValue> } {
  return { fields: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, toValue(v)])) };
}

/** Field 1 (a string) of an encoded message. */
export function firstStringField(bytes: Uint8Array): string {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) return r.string();
    r.skipType(tag & 7);
  }
  return '';
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

export class RawXdsClient {
  private readonly queue: RawResponse[] = [];
  private waiters: ((r: RawResponse) => void)[] = [];
  private readonly ended: Promise<grpc.StatusObject>;
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<unknown, unknown>;

  constructor(port: number, host = '127.0.0.1') {
    const Ctor = clientCtor();
    this.client = new Ctor(`${host}:${port}`, grpc.credentials.createInsecure());
    const method = (this.client as unknown as Record<string, () => grpc.ClientDuplexStream<unknown, unknown>>)['StreamAggregatedResources'];
    this.call = method!.call(this.client);
    this.call.on('data', (m: unknown) => this.onResponse(m as Record<string, unknown>));
    this.ended = new Promise((resolve) => this.call.on('status', resolve));
    // Errors also arrive as a status; swallow the 'error' event so it does not throw.
    this.call.on('error', () => {});
  }

  /** A client with a valid sidecar node id. */
  static sidecarNode(pod = 'app-1', ns = 'default', ip = '10.0.0.1'): NonNullable<RequestInput['node']> {
    return { id: `sidecar~${ip}~${pod}.${ns}~${ns}.svc.cluster.local`, cluster: `${pod}.${ns}`, metadata: { NAMESPACE: ns } };
  }

  private onResponse(m: Record<string, unknown>): void {
    // protobufjs' bundled Any keeps its snake_case field name even with keepCase: false.
    const anys = (m['resources'] as { typeUrl?: string; type_url?: string; value: Buffer }[] | undefined) ?? [];
    const resources = anys.map((a) => ({ typeUrl: a.typeUrl ?? a.type_url ?? '', value: a.value }));
    const r: RawResponse = {
      versionInfo: m['versionInfo'] as string,
      typeUrl: m['typeUrl'] as string,
      nonce: m['nonce'] as string,
      resources,
      names: resources.map((a) => firstStringField(a.value)),
    };
    const w = this.waiters.shift();
    if (w) w(r);
    else this.queue.push(r);
  }

  send(req: RequestInput): void {
    const msg: Record<string, unknown> = {
      typeUrl: req.typeUrl ?? '',
      versionInfo: req.versionInfo ?? '',
      resourceNames: req.resourceNames ?? [],
      responseNonce: req.responseNonce ?? '',
    };
    if (req.node) {
      msg['node'] = { id: req.node.id, cluster: req.node.cluster ?? '', metadata: toStruct(req.node.metadata ?? {}) };
    }
    if (req.errorDetail) msg['errorDetail'] = req.errorDetail;
    this.call.write(msg);
  }

  /** ACKs a response (names default to what the response carried for RDS/EDS, [] for LDS/CDS). */
  ack(r: RawResponse, resourceNames?: string[]): void {
    const names = resourceNames ?? (r.typeUrl === TYPE.LDS || r.typeUrl === TYPE.CDS ? [] : r.names);
    this.send({ typeUrl: r.typeUrl, versionInfo: r.versionInfo, responseNonce: r.nonce, resourceNames: names });
  }

  /** NACKs a response: version_info stays the last accepted one. */
  nack(r: RawResponse, acceptedVersion: string, message: string, resourceNames: string[] = []): void {
    this.send({ typeUrl: r.typeUrl, versionInfo: acceptedVersion, responseNonce: r.nonce, resourceNames, errorDetail: { code: 3, message } });
  }

  /** The next response, or a rejection after `timeoutMs`. */
  next(timeoutMs = 3000): Promise<RawResponse> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (r: RawResponse): void => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no DiscoveryResponse within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves if no response arrives within `windowMs`; rejects naming what did arrive. */
  async expectNothing(windowMs = 300): Promise<void> {
    const got = await this.next(windowMs).then(
      (r) => r,
      () => undefined,
    );
    if (got) throw new Error(`expected no response, got ${got.typeUrl} v${got.versionInfo} [${got.names.join(',')}]`);
  }

  /** The stream's final status (after the server ends or refuses it). */
  status(timeoutMs = 3000): Promise<grpc.StatusObject> {
    return Promise.race([
      this.ended,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`stream not ended within ${timeoutMs} ms`)), timeoutMs)),
    ]);
  }

  /** Half-closes the stream (the server sees 'end') and closes the channel. */
  close(): void {
    this.call.end();
    this.client.close();
  }

  /** Cancels the stream abruptly (the server sees 'cancelled'). */
  cancel(): void {
    this.call.cancel();
    this.client.close();
  }
}

/** Opens the Delta ADS method with a raw client; resolves with the status it ends with. */
export async function deltaStatus(port: number): Promise<grpc.StatusObject> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(
    '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
    (b: Buffer) => b,
    (b: Buffer) => b,
  );
  const st = await new Promise<grpc.StatusObject>((resolve) => {
    call.on('status', resolve);
    call.on('error', () => {});
    call.write(Buffer.alloc(0));
  });
  client.close();
  return st;
}
