// Route features with real proxyless clients (grpc-js-xds and gRPC C-core), each against
// its own Bookinfo mesh on its own loopback range: fault delay, retries on UNAVAILABLE,
// timeouts (max_stream_duration → DEADLINE_EXCEEDED), and weights and header matches
// through a delegate VirtualService. Every test also checks that nothing was NACKed.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_GRPC_HINT, SYSTEM_PYTHON, startClient, type ClientKind, type ClientProcess } from '../support/client-process.js';
import { REVIEWS, share, startMesh, type Mesh } from '../support/bookinfo.js';

const UNAVAILABLE = 14;
const JASON = { 'end-user': 'jason' };

const vs = (http: string, extra = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews]
  http:
${http}${extra}`;

const DELAY_V2 = vs(`    - fault: { delay: { fixedDelay: 400ms, percentage: { value: 100 } } }
      route: [{ destination: { host: reviews, subset: v2 } }]
`);
const retries = (attempts: number) => vs(`    - retries: { attempts: ${attempts}, retryOn: unavailable }
      route: [{ destination: { host: reviews } }]
`);
const TIMEOUT_V3 = vs(`    - timeout: 300ms
      route: [{ destination: { host: reviews, subset: v3 } }]
`);
// Root delegates /echo.Echo/ to a delegate (no hosts) that splits by header and weight.
const DELEGATED = vs(`    - name: echo
      match: [{ uri: { prefix: /echo.Echo/ } }]
      delegate: { name: reviews-echo }
`, `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews-echo, namespace: default }
spec:
  http:
    - name: jason
      match: [{ headers: { end-user: { exact: jason } } }]
      route: [{ destination: { host: reviews, subset: v3 } }]
    - name: split
      route:
        - destination: { host: reviews, subset: v1 }
          weight: 70
        - destination: { host: reviews, subset: v2 }
          weight: 30
`);

const CLIENTS: [ClientKind, string][] = [['grpc-js-xds', '127.0.6'], ['cxx', '127.0.7']];

describe.each(CLIENTS)('%s: VirtualService route features', (kind, net) => {
  let mesh: Mesh;
  let client: ClientProcess;

  beforeAll(async () => {
    if (kind === 'cxx') {
      try {
        execFileSync(SYSTEM_PYTHON, ['-c', 'import grpc'], { stdio: 'pipe' });
      } catch (e) {
        throw new Error(`${PYTHON_GRPC_HINT}\n${(e as Error).message}`);
      }
    }
    mesh = await startMesh(net);
    client = await startClient({ kind, xdsPort: mesh.cp.grpcPort });
    await client.waitFor({ target: REVIEWS, count: 1 }, (r) => r.ok === 1, 60_000);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await mesh?.close();
  });

  afterEach((ctx) => {
    for (const b of mesh?.backends.values() ?? []) b.setBehavior({});
    if (ctx.task.result?.state === 'fail' && client) console.error(`${kind} client stderr (tail):\n${client.stderrTail(5000)}`);
    if (mesh && mesh.cp.nacks().length > 0) console.error(JSON.stringify(mesh.cp.nacks()));
    if (mesh) expect(mesh.cp.nacks()).toEqual([]);
  });

  it('fault delay: every call takes at least the delay', async () => {
    mesh.setReviewsRoute(DELAY_V2);
    await client.waitFor({ target: REVIEWS, count: 5 }, (r) => r.byBackend['reviews-v2'] === 5);
    const start = Date.now();
    const r = await client.call({ target: REVIEWS, count: 4, concurrency: 1, timeoutMs: 5000 });
    expect(r).toMatchObject({ ok: 4, byBackend: { 'reviews-v2': 4 } });
    expect(Date.now() - start).toBeGreaterThanOrEqual(4 * 400);
  });

  it('retries: with one of three pods failing UNAVAILABLE, retryOn unavailable hides it', async () => {
    mesh.backends.get('reviews-v1')!.setBehavior({ failWith: UNAVAILABLE });
    // Without retries the failing pod shows (converged once errors appear, all pods listed).
    mesh.setReviewsRoute(retries(0));
    await client.waitFor({ target: REVIEWS, count: 30 }, (r) => (r.errors['UNAVAILABLE'] ?? 0) > 0);
    mesh.setReviewsRoute(retries(3));
    await client.waitFor({ target: REVIEWS, count: 30 }, (r) => r.ok === 30);
    // One call at a time: round robin then sends each retry to the next pod, so no call
    // can meet the failing pod on every attempt (concurrent calls could, now and then).
    const r = await client.call({ target: REVIEWS, count: 90, concurrency: 1 });
    expect(r.errors).toEqual({});
    expect(r.ok).toBe(90);
    expect(r.byBackend['reviews-v1'] ?? 0).toBe(0);
  });

  it('timeout: a slow pod gives DEADLINE_EXCEEDED (max_stream_duration)', async () => {
    mesh.backends.get('reviews-v3')!.setBehavior({ delayMs: 2000 });
    mesh.setReviewsRoute(TIMEOUT_V3);
    const r = await client.waitFor({ target: REVIEWS, count: 3, timeoutMs: 5000 }, (x) => x.errors['DEADLINE_EXCEEDED'] === 3);
    expect(r.ok).toBe(0);
  });

  it('delegate: header match and 70/30 weights come from the delegate VirtualService', async () => {
    mesh.setReviewsRoute(DELEGATED);
    await client.waitFor({ target: REVIEWS, count: 20, metadata: JASON }, (r) => r.byBackend['reviews-v3'] === 20);
    await client.waitFor({ target: REVIEWS, count: 50 }, (r) => r.ok === 50 && !r.byBackend['reviews-v3'] && !!r.byBackend['reviews-v2']);
    const r = await client.call({ target: REVIEWS, count: 600 });
    expect(r.errors).toEqual({});
    expect(r.byBackend['reviews-v3'] ?? 0).toBe(0);
    // Binomial(600, 0.7): sd 1.9 %; ±7 % is well over 3 of them.
    expect(share(r.byBackend, 'reviews-v1')).toBeGreaterThanOrEqual(0.63);
    expect(share(r.byBackend, 'reviews-v1')).toBeLessThanOrEqual(0.77);
  });
});
