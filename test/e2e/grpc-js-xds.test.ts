// End to end with a real proxyless client: grpc-js + grpc-js-xds (in a child process)
// dials xds:///reviews..., gets LDS/RDS/CDS/EDS from an in-process mini-istiod serving a
// temp copy of the Bookinfo example, and calls echo backends standing in for the reviews
// pods. Each test writes reviews' VirtualService, waits until the client's answers show
// the new route (the client converging is part of what is tested), then measures.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startClient, type ClientProcess } from '../support/client-process.js';
import {
  DEBOUNCE_MS,
  REVIEWS,
  routeAbortAll,
  routeAllTo,
  routeJasonToV2,
  routeWeighted,
  share,
  startMesh,
  type Mesh,
} from '../support/bookinfo.js';

// This file's own loopback range (reviews-v1 at 127.0.1.21, ...), so e2e files can run
// in parallel on the same port.
const NET = '127.0.1';
const JASON = { 'end-user': 'jason' };

describe('grpc-js-xds client against mini-istiod (Bookinfo)', () => {
  let mesh: Mesh;
  let client: ClientProcess;

  beforeAll(async () => {
    mesh = await startMesh(NET);
    client = await startClient({ kind: 'grpc-js-xds', xdsPort: mesh.cp.grpcPort });
    // Readiness: the first successful call means LDS→RDS→CDS→EDS all arrived.
    await client.waitFor({ target: REVIEWS, count: 1 }, (r) => r.ok === 1, 60_000);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await mesh?.close();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && client) {
      // The client's own view (GRPC_TRACE output when enabled) explains most failures.
      console.error(`grpc-js-xds client stderr (tail):\n${client.stderrTail(5000)}`);
    }
    // (f) whatever the test did, no client rejected anything we sent.
    if (mesh) expect(mesh.cp.nacks()).toEqual([]);
  });

  it('(a) without a VirtualService, spreads calls over every reviews pod', async () => {
    mesh.setReviewsRoute(undefined);
    await client.waitFor({ target: REVIEWS, count: 60 }, (r) => r.ok === 60 && Object.keys(r.byBackend).length === 3);
    const r = await client.call({ target: REVIEWS, count: 300 });
    expect(r.errors).toEqual({});
    expect(r.ok).toBe(300);
    for (const v of ['reviews-v1', 'reviews-v2', 'reviews-v3']) expect(r.byBackend[v] ?? 0, v).toBeGreaterThan(0);
  });

  it('(b) a VirtualService 80/20 v1/v2 sends 80±5 % of 1000 calls to v1', async () => {
    mesh.setReviewsRoute(routeWeighted({ v1: 80, v2: 20 }));
    // Converged once v3 gets nothing and both v1 and v2 answer (no other state looks so).
    await client.waitFor(
      { target: REVIEWS, count: 100 },
      (r) => r.ok === 100 && !r.byBackend['reviews-v3'] && !!r.byBackend['reviews-v1'] && !!r.byBackend['reviews-v2'],
    );
    const r = await client.call({ target: REVIEWS, count: 1000 });
    expect(r.errors).toEqual({});
    expect(r.byBackend['reviews-v3'] ?? 0).toBe(0);
    // Binomial(1000, 0.8) has a standard deviation of 1.3 %: ±5 % is nearly 4 of them.
    expect(share(r.byBackend, 'reviews-v1')).toBeGreaterThanOrEqual(0.75);
    expect(share(r.byBackend, 'reviews-v1')).toBeLessThanOrEqual(0.85);
  });

  it('(c) end-user: jason goes to v2 only, everyone else to v1 only', async () => {
    mesh.setReviewsRoute(routeJasonToV2());
    await client.waitFor({ target: REVIEWS, count: 30, metadata: JASON }, (r) => r.byBackend['reviews-v2'] === 30);
    await client.waitFor({ target: REVIEWS, count: 30 }, (r) => r.byBackend['reviews-v1'] === 30);
    const jason = await client.call({ target: REVIEWS, count: 100, metadata: JASON });
    expect(jason).toMatchObject({ ok: 100, byBackend: { 'reviews-v2': 100 }, errors: {} });
    const anon = await client.call({ target: REVIEWS, count: 100 });
    expect(anon).toMatchObject({ ok: 100, byBackend: { 'reviews-v1': 100 }, errors: {} });
  });

  it('(d) a rewritten VirtualService is followed within debounce + 1 s while calls go on', async () => {
    mesh.setReviewsRoute(routeAllTo('v2'));
    await client.waitFor({ target: REVIEWS, count: 30 }, (r) => r.byBackend['reviews-v2'] === 30);
    await client.loop({ target: REVIEWS, intervalMs: 5, timeoutMs: 2000 });
    await sleep(500);
    mesh.setReviewsRoute(routeAllTo('v3'));
    const written = Date.now();
    const deadline = written + DEBOUNCE_MS + 1000;
    await sleep(deadline - Date.now() + 1500); // 1.5 s of calls after the deadline
    const calls = await client.stop();

    const before = calls.filter((c) => c.end < written);
    const after = calls.filter((c) => c.start >= deadline);
    expect(before.length).toBeGreaterThan(10);
    expect(before.every((c) => c.backend === 'reviews-v2')).toBe(true);
    expect(after.length).toBeGreaterThan(50);
    const strays = after.filter((c) => c.backend !== 'reviews-v3');
    expect(strays, `calls after write + ${DEBOUNCE_MS} ms + 1 s not on v3`).toEqual([]);
    // Not asserted, but worth seeing when tuning: how long the switch really took.
    const firstV3 = calls.find((c) => c.start >= written && c.backend === 'reviews-v3');
    if (firstV3) console.info(`route change followed ${firstV3.start - written} ms after the write`);
  });

  it('(e) a fault abort with httpStatus 503 fails every call with UNAVAILABLE', async () => {
    const v1 = mesh.backends.get('reviews-v1')!;
    mesh.setReviewsRoute(routeAbortAll({ httpStatus: 503 }));
    // gRPC maps HTTP 503 to UNAVAILABLE (doc/http-grpc-status-mapping.md).
    await client.waitFor({ target: REVIEWS, count: 30 }, (r) => r.errors['UNAVAILABLE'] === 30);
    const served = v1.calls();
    const r = await client.call({ target: REVIEWS, count: 100 });
    expect(r).toMatchObject({ ok: 0, errors: { UNAVAILABLE: 100 } });
    // The client aborted the calls itself: none reached the pod.
    expect(v1.calls()).toBe(served);
  });

  it('(e) a fault abort with grpcStatus fails every call with that status', async () => {
    mesh.setReviewsRoute(routeAbortAll({ grpcStatus: 'PERMISSION_DENIED' }));
    await client.waitFor({ target: REVIEWS, count: 30 }, (r) => r.errors['PERMISSION_DENIED'] === 30);
    const r = await client.call({ target: REVIEWS, count: 100 });
    expect(r).toMatchObject({ ok: 0, errors: { PERMISSION_DENIED: 100 } });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
