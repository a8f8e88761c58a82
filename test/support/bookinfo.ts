// The Bookinfo mesh for end-to-end tests: the bundled example copied into a temp config
// dir with its pod IPs moved to the test file's own loopback range, echo backends for the
// reviews pods, an in-process control plane, and VirtualService variants to write.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startControlPlane } from '../../src/cli/control-plane.js';
import { startBackend, type Backend } from './echo-backend.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/bookinfo/', import.meta.url));
/** What a proxyless client dials: the LDS name it asks for is `reviews.default.svc.cluster.local:9080`. */
export const REVIEWS = 'xds:///reviews.default.svc.cluster.local:9080';
/** Bookinfo's service port; every pod listens on it on its own address, as in a cluster. */
export const PORT = 9080;
/** Debounce used by the test control planes (Istio's PILOT_DEBOUNCE_AFTER default). */
export const DEBOUNCE_MS = 100;
/** The file the tests (re)write to change reviews' routing. */
const VS_FILE = 'virtual-service-reviews.yaml';

export type ControlPlane = Awaited<ReturnType<typeof startControlPlane>>;

export interface Mesh {
  configDir: string;
  cp: ControlPlane;
  /** reviews-v1, reviews-v2, reviews-v3 by name. */
  backends: Map<string, Backend>;
  /** Writes (or rewrites) reviews' VirtualService; undefined removes it. */
  setReviewsRoute(yaml: string | undefined): void;
  close(): Promise<void>;
}

/**
 * The example's YAML (without its VirtualService, which tests write themselves) with each
 * `127.0.0.x` pod IP moved to `net.x`, e.g. net '127.0.1' → reviews-v1 at 127.0.1.21.
 */
export function bookinfoConfig(net: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of readdirSync(EXAMPLE_DIR).sort()) {
    if (!f.endsWith('.yaml') || f.startsWith('virtual-service')) continue;
    const text = readFileSync(join(EXAMPLE_DIR, f), 'utf8');
    files.set(f, text.replace(/\b127\.0\.0\.(\d+)\b/g, `${net}.$1`));
  }
  return files;
}

/** Starts the reviews backends, then a control plane on a temp copy of Bookinfo. */
export async function startMesh(net: string): Promise<Mesh> {
  const configDir = mkdtempSync(join(tmpdir(), 'mini-istiod-e2e-'));
  for (const [f, text] of bookinfoConfig(net)) writeFileSync(join(configDir, f), text);
  const backends = new Map<string, Backend>();
  let cp: ControlPlane | undefined;
  const close = async () => {
    await cp?.close();
    await Promise.all([...backends.values()].map((b) => b.close()));
    rmSync(configDir, { recursive: true, force: true });
  };
  try {
    for (const [v, host] of [['v1', 21], ['v2', 22], ['v3', 23]] as const) {
      const name = `reviews-${v}`;
      backends.set(name, await startBackend({ address: `${net}.${host}`, port: PORT, name }));
    }
    cp = await startControlPlane({
      configDir,
      grpcAddr: '127.0.0.1:0',
      httpAddr: '127.0.0.1:0',
      debounceAfterMs: DEBOUNCE_MS,
      debounceMaxMs: 1000,
      // Quiet unless asked: E2E_CP_LOG=debug shows what the server pushed and why.
      logger: pino({ level: process.env.E2E_CP_LOG ?? 'warn' }),
    });
  } catch (e) {
    await close();
    throw e;
  }
  const path = join(configDir, VS_FILE);
  return {
    configDir,
    cp,
    backends,
    setReviewsRoute(yaml) {
      if (yaml === undefined) rmSync(path, { force: true });
      else writeFileSync(path, yaml);
    },
    close,
  };
}

// ---- reviews VirtualServices, as a user would write them ----

function virtualService(http: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: default
spec:
  hosts:
    - reviews
  http:
${http}`;
}

/** All traffic to one subset. */
export function routeAllTo(subset: string): string {
  return virtualService(`    - route:
        - destination:
            host: reviews
            subset: ${subset}
`);
}

/** Weighted split between subsets, e.g. { v1: 80, v2: 20 }. */
export function routeWeighted(weights: Record<string, number>): string {
  const dests = Object.entries(weights)
    .map(
      ([subset, w]) => `        - destination:
            host: reviews
            subset: ${subset}
          weight: ${w}
`,
    )
    .join('');
  return virtualService(`    - route:\n${dests}`);
}

/** The example's own VirtualService: end-user jason → v2, everyone else → v1. */
export function routeJasonToV2(): string {
  return readFileSync(join(EXAMPLE_DIR, 'virtual-service-reviews-test-v2.yaml'), 'utf8');
}

/** Every call to v1 aborted by the fault filter, with an HTTP or a gRPC status. */
export function routeAbortAll(abort: { httpStatus: number } | { grpcStatus: string }): string {
  const status = 'httpStatus' in abort ? `httpStatus: ${abort.httpStatus}` : `grpcStatus: ${abort.grpcStatus}`;
  return virtualService(`    - fault:
        abort:
          percentage:
            value: 100
          ${status}
      route:
        - destination:
            host: reviews
            subset: v1
`);
}

/** Share of the answered calls that `backend` took. */
export function share(byBackend: Record<string, number>, backend: string): number {
  const total = Object.values(byBackend).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : (byBackend[backend] ?? 0) / total;
}
