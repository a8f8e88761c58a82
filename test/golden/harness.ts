// Golden harness: <case>.in.yaml holds Kubernetes/Istio objects plus `TestProxy` documents
// (and optionally one `TestMesh`); <case>.out.yaml holds, per proxy, every resource by type
// as proto3 JSON, and the warnings. UPDATE_GOLDEN=1 rewrites the outputs.
import { parseAllDocuments, stringify } from 'yaml';
import { MemoryConfigStore } from '../../src/model/config-store.js';
import type { AnyConfigObject } from '../../src/model/config.js';
import { validateObject } from '../../src/model/schemas/index.js';
import { buildPushContext } from '../../src/push/build-push-context.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig, type PushContext } from '../../src/push/push-context.js';
import { PUSH_ORDER, TypeUrl, type Resource, type TranslateWarning, type XdsTypeUrl } from '../../src/translate/api.js';
import { generateAll, generators } from '../../src/translate/generators.js';
import { parseProxy, type Proxy } from '../../src/translate/proxy.js';

export interface TestProxySpec {
  name: string;
  id: string;
  cluster?: string;
  metadata?: Record<string, unknown>;
  /** gRPC only: the LDS names the client asks for (else: every service port). */
  listenerNames?: string[];
}

export interface GoldenInput {
  proxies: TestProxySpec[];
  objects: unknown[];
  mesh: MeshConfig;
}

const FIXED_TIME = '2024-01-01T00:00:00Z';

export function parseInput(text: string): GoldenInput {
  const proxies: TestProxySpec[] = [];
  const objects: unknown[] = [];
  let mesh: MeshConfig = { ...DEFAULT_MESH_CONFIG };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw doc.errors[0];
    const raw = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> } | null;
    if (!raw) continue;
    if (raw.kind === 'TestProxy') proxies.push({ name: raw.metadata?.name ?? '', ...(raw.spec as Omit<TestProxySpec, 'name'>) });
    else if (raw.kind === 'TestMesh') mesh = { ...mesh, ...(raw.spec as Partial<MeshConfig>) };
    else objects.push(raw);
  }
  // Output follows proxy names, not document order.
  proxies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { proxies, objects, mesh };
}

export function buildPush(objects: readonly unknown[], mesh: MeshConfig): PushContext {
  const store = new MemoryConfigStore();
  const valid: AnyConfigObject[] = [];
  objects.forEach((raw, i) => {
    const r = validateObject(raw, { source: 'file', location: 'golden', documentIndex: i }, () => FIXED_TIME);
    if (r.status === 'invalid') throw new Error(`document ${i}: ${r.errors.map((e) => e.message).join('; ')}`);
    if (r.status === 'ok') valid.push(r.object);
  });
  store.replace('golden', valid);
  return buildPushContext(store, mesh, 'golden');
}

const SECTION: Record<XdsTypeUrl, string> = {
  [TypeUrl.Cluster]: 'clusters',
  [TypeUrl.ClusterLoadAssignment]: 'endpoints',
  [TypeUrl.Listener]: 'listeners',
  [TypeUrl.RouteConfiguration]: 'routes',
};

export interface ProxyOutput {
  proxy: Proxy;
  resources: Resource[];
  warnings: TranslateWarning[];
}

export function translateProxy(push: PushContext, spec: TestProxySpec): ProxyOutput {
  const proxy = parseProxy({ id: spec.id, cluster: spec.cluster ?? spec.name, metadata: spec.metadata ?? {} });
  const all = generateAll(push, proxy);
  if (!spec.listenerNames) return { proxy, ...all };
  // A gRPC client asks for its dial targets: listeners by those names, then the routes
  // those listeners name.
  const listeners = generators[TypeUrl.Listener].generate(push, proxy, spec.listenerNames);
  const routeNames = listeners.map((l) => ((l.body['apiListener'] as { apiListener: { rds: { routeConfigName: string } } }).apiListener.rds.routeConfigName));
  const routes = generators[TypeUrl.RouteConfiguration].generate(push, proxy, routeNames);
  const others = all.resources.filter((r) => r.typeUrl !== TypeUrl.Listener && r.typeUrl !== TypeUrl.RouteConfiguration);
  return { proxy, resources: [...others, ...listeners, ...routes], warnings: all.warnings };
}

export function renderOutput(outputs: readonly { spec: TestProxySpec; out: ProxyOutput }[]): string {
  const docs = outputs.map(({ spec, out }) => {
    const sections: Record<string, unknown[]> = {};
    for (const t of PUSH_ORDER) sections[SECTION[t]] = [];
    for (const r of out.resources) sections[SECTION[r.typeUrl]]!.push(r.body);
    return { proxy: spec.name, id: spec.id, kind: out.proxy.kind, warnings: out.warnings, ...sections };
  });
  return docs.map((d) => stringify(d, { aliasDuplicateObjects: false, lineWidth: 0 })).join('---\n');
}

export function runCase(text: string): { outputs: { spec: TestProxySpec; out: ProxyOutput }[]; rendered: string } {
  const input = parseInput(text);
  const push = buildPush(input.objects, input.mesh);
  const outputs = input.proxies.map((spec) => ({ spec, out: translateProxy(push, spec) }));
  return { outputs, rendered: renderOutput(outputs) };
}
