// Sidecar scoping with a real proxyless client: a Sidecar in namespace `restricted`
// imports only its own namespace and istio-system, so a grpc-js-xds client there asks LDS
// for reviews' listener and gets no such resource — its calls fail — while a
// client in `default` (no Sidecar) reaches the reviews pods. Loopback range 127.0.8.x.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startClient, xdsBootstrap, type ClientProcess } from '../support/client-process.js';
import { REVIEWS, startMesh, type Mesh } from '../support/bookinfo.js';

const NET = '127.0.8';

const SIDECAR = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: restricted
spec:
  egress:
    - hosts:
        - ./*
        - istio-system/*
`;

/** The standard bootstrap, moved to another namespace (gRPC clients say so in NAMESPACE). */
function bootstrapIn(port: number, namespace: string): string {
  const b = xdsBootstrap(port, `sidecar~${NET}.50~client-${process.pid}.${namespace}~${namespace}.svc.cluster.local`) as {
    node: { metadata: Record<string, string> };
  };
  b.node.metadata['NAMESPACE'] = namespace;
  return JSON.stringify(b);
}

describe('Sidecar egress scoping with grpc-js-xds', () => {
  let mesh: Mesh;
  let restricted: ClientProcess;
  let open: ClientProcess;

  beforeAll(async () => {
    mesh = await startMesh(NET);
    writeFileSync(join(mesh.configDir, 'sidecar-restricted.yaml'), SIDECAR);
    // Let the file watcher and the debounce (100 ms quiet, 1 s at most) take it in before
    // the restricted client's first LDS request, so it never sees reviews at all.
    await new Promise((r) => setTimeout(r, 2500));
    const port = mesh.cp.grpcPort;
    // No xdsPort: the bootstrap comes from env, so the namespace can differ from default.
    restricted = await startClient({ kind: 'grpc-js-xds', env: {
        GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapIn(port, 'restricted'),
        // The resolver's trace is how the test sees the client's verdict on the listener.
        GRPC_TRACE: 'xds_resolver',
        GRPC_VERBOSITY: 'DEBUG',
      },
    });
    open = await startClient({ kind: 'grpc-js-xds', env: { GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapIn(port, 'default') } });
  }, 90_000);

  afterAll(async () => {
    await restricted?.close();
    await open?.close();
    await mesh?.close();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') {
      console.error(`restricted client stderr (tail):\n${restricted?.stderrTail(4000)}`);
      console.error(`open client stderr (tail):\n${open?.stderrTail(4000)}`);
    }
    if (mesh) expect(mesh.cp.nacks()).toEqual([]);
  });

  it('a client in a namespace without a Sidecar reaches reviews', async () => {
    const r = await open.waitFor({ target: REVIEWS, count: 10 }, (x) => x.ok === 10, 60_000);
    expect(r.errors).toEqual({});
  }, 90_000);

  it('a client whose Sidecar hides reviews cannot resolve it: the listener does not exist', async () => {
    // The listener is never sent, so grpc-js-xds declares it nonexistent when its 15 s
    // resource timer fires. grpc-js 1.14 then keeps the calls waiting for a resolution
    // that cannot succeed, so they end with their deadline ("waiting for name
    // resolution") rather than UNAVAILABLE; either way no call reaches a backend.
    const r = await restricted.call({ target: REVIEWS, count: 5, concurrency: 5, timeoutMs: 20_000 });
    expect(r.ok).toBe(0);
    const failed = (r.errors['UNAVAILABLE'] ?? 0) + (r.errors['DEADLINE_EXCEEDED'] ?? 0);
    expect(failed).toBe(5);
    for (const d of Object.values(r.details)) expect(d).toMatch(/does not exist|waiting for name resolution/);
    expect(restricted.stderrTail()).toMatch(/reviews\.default\.svc\.cluster\.local:9080\] Resolution error: LDS resource does not exist/);
  }, 90_000);
});
