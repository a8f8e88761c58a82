// End to end with gRPC C-core (Debian's python3-grpcio, in a child process) as the
// proxyless client: a second, independent xDS implementation, stricter than grpc-js-xds
// in places (it NACKs a listener with no HTTP filters, for one). Same Bookinfo mesh as
// grpc-js-xds.test.ts, on its own loopback range.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_GRPC_HINT, SYSTEM_PYTHON, startClient, type ClientProcess } from '../support/client-process.js';
import { REVIEWS, routeWeighted, share, startMesh, type Mesh } from '../support/bookinfo.js';

const NET = '127.0.2';

describe('gRPC C-core (python3-grpcio) client against mini-istiod (Bookinfo)', () => {
  let mesh: Mesh;
  let client: ClientProcess;

  beforeAll(async () => {
    // Not a skip: a machine without python grpc cannot prove C-core interop, so say how to fix it.
    try {
      execFileSync(SYSTEM_PYTHON, ['-c', 'import grpc'], { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`${PYTHON_GRPC_HINT}\n${(e as Error).message}`);
    }
    mesh = await startMesh(NET);
    client = await startClient({ kind: 'cxx', xdsPort: mesh.cp.grpcPort });
    await client.waitFor({ target: REVIEWS, count: 1 }, (r) => r.ok === 1, 60_000);
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await mesh?.close();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && client) {
      console.error(`C-core client stderr (tail):\n${client.stderrTail(5000)}`);
    }
    // (f) C-core accepted everything we sent.
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
    await client.waitFor(
      { target: REVIEWS, count: 100 },
      (r) => r.ok === 100 && !r.byBackend['reviews-v3'] && !!r.byBackend['reviews-v1'] && !!r.byBackend['reviews-v2'],
    );
    const r = await client.call({ target: REVIEWS, count: 1000 });
    expect(r.errors).toEqual({});
    expect(r.byBackend['reviews-v3'] ?? 0).toBe(0);
    expect(share(r.byBackend, 'reviews-v1')).toBeGreaterThanOrEqual(0.75);
    expect(share(r.byBackend, 'reviews-v1')).toBeLessThanOrEqual(0.85);
  });
});
