// DestinationRule traffic policies, end to end with both proxyless clients (grpc-js-xds,
// gRPC C-core): consistent hashing by header (RING_HASH + the route's hash policy),
// outlier detection (gRPC's failure-percentage ejection, cluster-outlier.ts) and circuit
// breaking (circuitBreakers.thresholds[].maxRequests). Each client kind has its own mesh on
// its own loopback range (127.0.4.x, 127.0.5.x). Every test writes reviews' rule, waits
// until the client's answers show it (convergence is part of what is tested), measures,
// and restores the backends. No NACKs, ever. Debian's C-core (1.51) crashes on RING_HASH
// (grpc/grpc#31766), so the control plane sends it ROUND_ROBIN and warns
// (grpc-client-features.ts); that is what its ring-hash case checks.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_MESH_CONFIG } from '../../src/push/push-context.js';
import { TypeUrl } from '../../src/translate/api.js';
import { generateAll, generators } from '../../src/translate/generators.js';
import { supportsRingHash } from '../../src/translate/grpc-client-features.js';
import { parseProxy, type Proxy } from '../../src/translate/proxy.js';
import { buildPush } from '../golden/harness.js';
import { PYTHON_GRPC_HINT, SYSTEM_PYTHON, startClient, type CallResult, type ClientKind, type ClientProcess } from '../support/client-process.js';
import { REVIEWS, startMesh, type Mesh } from '../support/bookinfo.js';

const POLICY_FILE = 'destination-rule-reviews-policy.yaml';
/** reviews under another name: LDS `reviews.default:9080`, the same cluster. */
const REVIEWS_ALIAS = 'xds:///reviews.default:9080';
const UNAVAILABLE = 14;
const BACKENDS = ['reviews-v1', 'reviews-v2', 'reviews-v3'];

/**
 * A second rule for reviews carrying only a traffic policy: Istio merges it with the
 * example's subset-only rule (the first policy set wins, and that one has none).
 */
function reviewsPolicy(trafficPolicy: string): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews-policy
  namespace: default
spec:
  host: reviews
  trafficPolicy:
${trafficPolicy}`;
}

const RING_HASH_BY_USER = reviewsPolicy(`    loadBalancer:
      consistentHash:
        httpHeaderName: x-user
`);

// gRPC ejects a host that failed more than half of at least 3 calls in one 1 s interval.
const EJECT_FAILING = reviewsPolicy(`    outlierDetection:
      consecutive5xxErrors: 3
      interval: 1s
      baseEjectionTime: 120s
      maxEjectionPercent: 100
`);

const ONE_REQUEST_AT_A_TIME = reviewsPolicy(`    connectionPool:
      http:
        http2MaxRequests: 1
`);

/** What the config dir as it stands builds into. */
function pushOf(configDir: string): ReturnType<typeof buildPush> {
  const objects = readdirSync(configDir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(configDir, f), 'utf8')).map((d) => d.toJS() as unknown));
  return buildPush(objects, DEFAULT_MESH_CONFIG);
}

/** A gRPC client's proxy; `userAgent` as its xDS Node would carry it. */
function grpcProxy(userAgent?: { name: string; version: string }): Proxy {
  const ua = userAgent ? { userAgentName: userAgent.name, userAgentVersion: userAgent.version } : {};
  return parseProxy({ id: 'sidecar~127.0.0.10~check.default~default.svc.cluster.local', metadata: { GENERATOR: 'grpc', NAMESPACE: 'default' }, ...ua });
}

/** The hash policy a gRPC client's route to reviews gets from the config dir as it stands. */
function routeHashPolicy(configDir: string, proxy = grpcProxy()): unknown {
  const [rc] = generators[TypeUrl.RouteConfiguration].generate(pushOf(configDir), proxy, ['outbound|9080||reviews.default.svc.cluster.local']);
  const vhosts = (rc?.body['virtualHosts'] ?? []) as { routes: { route?: { hashPolicy?: unknown } }[] }[];
  return vhosts[0]?.routes[0]?.route?.hashPolicy;
}

/**
 * The user agent this machine's C-core client sends (probed: name "gRPC C-core linux
 * Python", version "C-core <core> Python <grpcio>"); only the grpcio release matters here.
 */
function cxxUserAgent(): { name: string; version: string } {
  const release = execFileSync(SYSTEM_PYTHON, ['-c', 'import grpc; print(grpc.__version__)'], { encoding: 'utf8' }).trim();
  return { name: 'gRPC C-core linux Python', version: `C-core 29.0.0 Python ${release}` };
}

function backendsOf(r: { byBackend: Record<string, number> }): string[] {
  return Object.keys(r.byBackend).filter((b) => (r.byBackend[b] ?? 0) > 0);
}

const CASES: { kind: ClientKind; net: string }[] = [
  { kind: 'grpc-js-xds', net: '127.0.4' },
  { kind: 'cxx', net: '127.0.5' },
];

describe.each(CASES)('DestinationRule traffic policy with $kind', ({ kind, net }) => {
  let mesh: Mesh;
  let client: ClientProcess;

  const setPolicy = (yaml: string | undefined): void => {
    const path = join(mesh.configDir, POLICY_FILE);
    if (yaml === undefined) rmSync(path, { force: true });
    else writeFileSync(path, yaml);
  };

  beforeAll(async () => {
    if (kind === 'cxx') {
      try {
        execFileSync(SYSTEM_PYTHON, ['-c', 'import grpc'], { stdio: 'pipe' });
      } catch (e) {
        throw new Error(`${PYTHON_GRPC_HINT}\n${(e as Error).message}`);
      }
    }
    mesh = await startMesh(net);
    // Outlier detection is on by default in both stacks today; older C-core releases
    // still read this switch, so set it rather than depend on the release.
    client = await startClient({ kind, xdsPort: mesh.cp.grpcPort, env: { GRPC_EXPERIMENTAL_ENABLE_OUTLIER_DETECTION: 'true' } });
    await client.waitFor({ target: REVIEWS, count: 1 }, (r) => r.ok === 1, 60_000);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await mesh?.close();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && client) console.error(`${kind} client stderr (tail):\n${client.stderrTail(5000)}`);
    for (const b of mesh.backends.values()) b.setBehavior({});
    setPolicy(undefined);
    // Back to plain round robin over all three pods before the next test starts.
    await client.waitFor({ target: REVIEWS, count: 30, metadata: { 'x-user': 'reset' } }, (r) => r.ok === 30 && backendsOf(r).length === 3);
    expect(mesh.cp.nacks()).toEqual([]);
  }, 60_000);

  it('outlierDetection: a pod failing every call is ejected, then calls succeed on the others', async () => {
    const v3 = mesh.backends.get('reviews-v3')!;
    v3.setBehavior({ failWith: UNAVAILABLE });
    // The default route retries UNAVAILABLE on another pod, so the client may not see the
    // failures: what proves ejection is that the failing pod stops being asked at all.
    const asked = async (count: number): Promise<{ r: CallResult; v3Calls: number }> => {
      const before = v3.calls();
      const r = await client.call({ target: REVIEWS, count });
      return { r, v3Calls: v3.calls() - before };
    };
    expect((await asked(60)).v3Calls, 'calls reaching the failing pod without the rule').toBeGreaterThan(0);
    setPolicy(EJECT_FAILING);
    // Ejection takes one 1 s interval with enough calls: poll until a batch spares v3.
    const deadline = Date.now() + 30_000;
    while ((await asked(30)).v3Calls > 0) {
      if (Date.now() > deadline) throw new Error('reviews-v3 still receives calls 30 s after the rule');
    }
    const { r: after, v3Calls } = await asked(200);
    expect(v3Calls, 'calls reaching the ejected pod').toBe(0);
    expect(after.errors).toEqual({});
    expect(after.ok).toBe(200);
    for (const b of ['reviews-v1', 'reviews-v2']) expect(after.byBackend[b] ?? 0, b).toBeGreaterThan(0);
  }, 90_000);

  it('connectionPool http2MaxRequests 1: concurrent slow calls beyond the first fail UNAVAILABLE', async () => {
    for (const b of BACKENDS) mesh.backends.get(b)!.setBehavior({ delayMs: 400 });
    // Without the rule, 10 concurrent slow calls all succeed.
    const baseline = await client.call({ target: REVIEWS, count: 10, concurrency: 10, timeoutMs: 5000 });
    expect(baseline).toMatchObject({ ok: 10, errors: {} });
    setPolicy(ONE_REQUEST_AT_A_TIME);
    // grpc-js-xds builds its circuit-breaking picker only when the endpoints' state
    // changes, so a new limit reaches an already READY channel late; a channel dialled
    // after the rule (same cluster, another name for the service) has it from the start.
    // One slow call holds the only slot; calls started meanwhile must be refused. (The
    // grpc-js driver runs commands concurrently; C-core's runs them in turn, so there the
    // batch itself is the concurrency.)
    const overload = async (): Promise<CallResult & { elapsed: number }> => {
      const started = Date.now();
      const first = client.call({ target: REVIEWS_ALIAS, count: 1, timeoutMs: 5000 });
      await new Promise((res) => setTimeout(res, 150));
      const batch = await client.call({ target: REVIEWS_ALIAS, count: 10, concurrency: 10, timeoutMs: 5000 });
      const one = await first;
      const errors: Record<string, number> = { ...batch.errors };
      for (const [k, v] of Object.entries(one.errors)) errors[k] = (errors[k] ?? 0) + v;
      return { ...batch, ok: batch.ok + one.ok, errors, elapsed: Date.now() - started };
    };
    const deadline = Date.now() + 30_000;
    let r = await overload();
    while ((r.errors['UNAVAILABLE'] ?? 0) === 0 && Date.now() < deadline) r = await overload();
    r = await overload();
    const elapsed = r.elapsed;
    // Of 11 calls at most a few fit through the single slot; the rest are refused at once.
    expect(r.ok).toBeGreaterThanOrEqual(1);
    expect(r.errors['UNAVAILABLE'] ?? 0).toBeGreaterThanOrEqual(5);
    expect(Object.keys(r.errors)).toEqual(['UNAVAILABLE']);
    // Refused, not queued: 11 calls through one 400 ms slot would take over 4 s.
    expect(elapsed).toBeLessThan(3000);
  }, 90_000);
  it('consistentHash httpHeaderName: one user sticks to one pod, many users spread', async () => {
    setPolicy(RING_HASH_BY_USER);
    // The route must carry the hash policy (dr-hash-policy.ts, called by the route builder):
    // without one, gRPC hashes each call at random and nothing sticks.
    expect(routeHashPolicy(mesh.configDir), 'RouteAction.hashPolicy for reviews (route builder wiring)').toEqual([{ header: { headerName: 'x-user' } }]);
    const ua = kind === 'cxx' ? cxxUserAgent() : undefined;
    if (ua && !supportsRingHash(grpcProxy(ua))) {
      // C-core < 1.52 must get ROUND_ROBIN (it crashes on RING_HASH): no hash policy, a
      // warning on the rule, and a client that keeps answering, spread over the pods.
      const proxy = grpcProxy(ua);
      expect(routeHashPolicy(mesh.configDir, proxy), 'RouteAction.hashPolicy for C-core').toBeUndefined();
      const all = generateAll(pushOf(mesh.configDir), proxy);
      const cluster = all.resources.find((r) => r.typeUrl === TypeUrl.Cluster && r.name === 'outbound|9080||reviews.default.svc.cluster.local');
      expect(cluster?.body['lbPolicy'] ?? 'ROUND_ROBIN', 'reviews lbPolicy for C-core').toBe('ROUND_ROBIN');
      expect(all.warnings.filter((w) => w.message.includes('grpc/grpc#31766'))).toEqual([
        expect.objectContaining({
          field: 'spec.trafficPolicy.loadBalancer.consistentHash',
          message: `gRPC C-core < 1.52 crashes on RING_HASH (grpc/grpc#31766): sending ROUND_ROBIN to ${proxy.id}`,
        }),
      ]);
      // Let the push reach the client (a RING_HASH cluster would kill it on the next pick),
      // then one user's calls must all succeed and still spread: round robin, not a hash.
      await new Promise((r) => setTimeout(r, 1500));
      for (let i = 0; i < 3; i++) {
        const r = await client.call({ target: REVIEWS, count: 30, metadata: { 'x-user': 'alice' } });
        expect(r.errors, `batch ${i}`).toEqual({});
        expect(r.ok).toBe(30);
        expect(backendsOf(r), `batch ${i}`).toHaveLength(3);
      }
      expect(mesh.cp.nacks()).toEqual([]);
      return;
    }
    // Converged once 30 calls from one user all land on one pod (round robin spreads them).
    await client.waitFor({ target: REVIEWS, count: 30, metadata: { 'x-user': 'alice' } }, (r) => r.ok === 30 && backendsOf(r).length === 1);
    const used = new Set<string>();
    for (let u = 0; u < 20; u++) {
      const r = await client.call({ target: REVIEWS, count: 10, metadata: { 'x-user': `user-${u}` } });
      expect(r.errors, `user-${u}`).toEqual({});
      // Sticky: every call of one user on the same pod.
      expect(backendsOf(r), `user-${u}`).toHaveLength(1);
      used.add(backendsOf(r)[0]!);
    }
    // 20 users on one pod of three by chance: 3 × (1/3)^20, never.
    expect(used.size).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
