// Test doubles for the server: a PushContext that carries a tiny "world" (per type, name →
// content tag) and generators that turn it into real, minimal Envoy resources, so the real
// codec encodes them and the wire carries genuine protobuf.
import pino from 'pino';
import { DEFAULT_MESH_CONFIG } from '../../src/push/push-context.js';
import type { PushContext } from '../../src/push/push-context.js';
import { TypeUrl } from '../../src/translate/api.js';
import type { EnvoyJson, Generator, Resource, XdsTypeUrl } from '../../src/translate/api.js';
import type { Proxy } from '../../src/translate/proxy.js';
import { Metrics } from '../../src/metrics.js';
import { XdsServer } from '../../src/xds/xds-server.js';

export type World = Partial<Record<XdsTypeUrl, Record<string, string>>>;

export interface FakePush extends PushContext {
  world: World;
}

let counter = 0;
export function fakePush(world: World, version = `v${++counter}`): FakePush {
  return {
    version,
    mesh: DEFAULT_MESH_CONFIG,
    services: [],
    serviceByHost: new Map(),
    endpointsByHost: new Map(),
    virtualServicesByHost: new Map(),
    destinationRuleByHost: new Map(),
    world,
  };
}

function body(typeUrl: XdsTypeUrl, name: string, tag: string): EnvoyJson {
  switch (typeUrl) {
    case TypeUrl.Listener:
      return { name, statPrefix: tag };
    case TypeUrl.Cluster:
      return { name, altStatName: tag, type: 'EDS' };
    case TypeUrl.RouteConfiguration:
      return { name, virtualHosts: [{ name: tag, domains: ['*'] }] };
    case TypeUrl.ClusterLoadAssignment:
      return { clusterName: name, endpoints: [{ locality: { zone: tag } }] };
  }
}

export interface FakeGenerator extends Generator {
  calls: { proxy: string; names: readonly string[] | undefined }[];
}

/** A generator over FakePush.world; scopeKey defaults to one shared key. */
export function fakeGenerator(typeUrl: XdsTypeUrl, scopeKey: (p: Proxy) => string = () => ''): FakeGenerator {
  const calls: FakeGenerator['calls'] = [];
  return {
    typeUrl,
    calls,
    scopeKey,
    generate(push: PushContext, proxy: Proxy, names: readonly string[] | undefined): Resource[] {
      calls.push({ proxy: proxy.id, names });
      const all = (push as FakePush).world[typeUrl] ?? {};
      const wanted = names ?? Object.keys(all);
      const out: Resource[] = [];
      for (const n of wanted) {
        const tag = all[n];
        if (tag !== undefined) out.push({ name: n, typeUrl, body: body(typeUrl, n, tag) });
      }
      return out;
    },
  };
}

export function fakeGenerators(): Record<XdsTypeUrl, FakeGenerator> {
  return {
    [TypeUrl.Listener]: fakeGenerator(TypeUrl.Listener),
    [TypeUrl.RouteConfiguration]: fakeGenerator(TypeUrl.RouteConfiguration),
    [TypeUrl.Cluster]: fakeGenerator(TypeUrl.Cluster),
    [TypeUrl.ClusterLoadAssignment]: fakeGenerator(TypeUrl.ClusterLoadAssignment),
  };
}

export const silentLogger = pino({ level: 'silent' });

export interface Harness {
  server: XdsServer;
  port: number;
  metrics: Metrics;
  generators: Record<XdsTypeUrl, FakeGenerator>;
}

export async function startServer(logger: pino.Logger = silentLogger, now?: () => number): Promise<Harness> {
  const metrics = new Metrics({ processDefaults: false });
  const generators = fakeGenerators();
  const server = new XdsServer({ logger, metrics, generators, ...(now ? { now } : {}) });
  const port = await server.listen('127.0.0.1:0');
  return { server, port, metrics, generators };
}

/** A recording pino logger: every line as parsed JSON. */
export function recordingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** Sum of a series' values matching `labels`; `x_count` / `x_sum` read histogram x. */
export async function metricValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const base = name.replace(/_(count|sum)$/, '');
  const m = await (metrics.registry.getSingleMetric(name) ?? metrics.registry.getSingleMetric(base))?.get();
  if (!m) throw new Error(`no metric ${name}`);
  let sum = 0;
  for (const v of m.values) {
    const l = v.labels as Record<string, string>;
    if (String(m.type) === 'histogram' && (v as { metricName?: string }).metricName !== name) continue;
    if (Object.entries(labels).every(([k, val]) => l[k] === val)) sum += v.value;
  }
  return sum;
}
