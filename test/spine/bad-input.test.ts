// Bad input through the whole server: a broken file is reported (one error line naming
// file, document, object and field), the last good config stays in effect for connected
// and newly connecting proxies, and fixing the file applies it.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.js';
import { decodeResource } from '../../src/envoy/codec.js';
import { RawXdsClient, TYPE, type RawResponse } from '../support/raw-xds-client.js';
import { EXAMPLE_DIR } from '../support/bookinfo.js';

const VS_FILE = 'virtual-service-reviews-test-v2.yaml';
const GOOD_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews]
  http:
    - route:
        - destination: { host: reviews, subset: SUBSET }
`;

let dir: string;
let cp: ControlPlane;
const logLines: Record<string, unknown>[] = [];
const clients: RawXdsClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mini-istiod-bad-input-'));
  cpSync(EXAMPLE_DIR, dir, { recursive: true });
  const logger = pino({ level: 'info' }, { write: (s: string) => void logLines.push(JSON.parse(s) as Record<string, unknown>) });
  cp = await startControlPlane({ configDir: dir, grpcAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', debounceAfterMs: 50, debounceMaxMs: 500, logger });
});
afterAll(async () => {
  for (const c of clients) c.cancel();
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The reviews route's destination clusters, as a new sidecar in `default` receives them now. */
async function reviewsClustersForNewProxy(): Promise<string[]> {
  const c = new RawXdsClient(cp.grpcPort);
  clients.push(c);
  c.send({ node: RawXdsClient.sidecarNode('productpage-v1', 'default', '127.0.0.10'), typeUrl: TYPE.RDS, resourceNames: ['9080'] });
  const r = await c.next();
  c.cancel();
  return reviewsClusters(r);
}

function reviewsClusters(r: RawResponse): string[] {
  const rc = decodeResource(TYPE.RDS, r.resources[0]!.value) as { virtualHosts: { name: string; routes: { route?: { cluster?: string } }[] }[] };
  const vh = rc.virtualHosts.find((v) => v.name === 'reviews.default.svc.cluster.local:9080');
  return (vh?.routes ?? []).map((x) => x.route?.cluster ?? '?');
}

async function errorLogFor(file: string, since: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const hit = logLines.slice(since).find((l) => l['level'] === 50 && String(l['msg']).includes(file));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no error log line naming ${file}`);
}

describe('bad input keeps the last good config and names the problem', () => {
  it('starts with the example: jason → v2, others → v1', async () => {
    expect(await reviewsClustersForNewProxy()).toEqual([
      'outbound|9080|v2|reviews.default.svc.cluster.local',
      'outbound|9080|v1|reviews.default.svc.cluster.local',
    ]);
  });

  const cases: [string, string, RegExp][] = [
    ['broken YAML', 'spec:\n  hosts: [reviews\n  http: {', new RegExp(`${VS_FILE}.*(line|col)`, 'i')],
    ['an unknown field', GOOD_VS.replace('subset: SUBSET', 'subset: v3, weigth: 100'), /VirtualService default\/reviews.*spec\.http\[0\]\.route\[0\].*weigth/],
    ['a wrong type', GOOD_VS.replace('subset: SUBSET }', 'subset: v3 }\n          weight: "all"'), /VirtualService default\/reviews.*spec\.http\[0\]\.route\[0\]\.weight/],
    ['a missing subset', GOOD_VS.replace('SUBSET', 'v9'), /VirtualService default\/reviews.*spec\.http\[0\]\.route\[0\]\.destination\.subset.*v9/],
  ];

  for (const [what, text, expected] of cases) {
    it(`${what}: one error line naming file, object and field; no push; old routes stay`, async () => {
      // A connected sidecar holding the current routes must not hear anything.
      const watcher = new RawXdsClient(cp.grpcPort);
      clients.push(watcher);
      watcher.send({ node: RawXdsClient.sidecarNode('ratings-v1', 'default', '127.0.0.31'), typeUrl: TYPE.RDS, resourceNames: ['9080'] });
      const first = await watcher.next();
      watcher.ack(first, ['9080']);

      const since = logLines.length;
      writeFileSync(join(dir, VS_FILE), text);
      const line = await errorLogFor(VS_FILE, since);
      expect(String(line['msg'])).toMatch(expected);
      await watcher.expectNothing(400);
      // One line per problem, never repeated, even though the watcher re-reads the file
      // after each event.
      const errors = logLines.slice(since).filter((l) => l['level'] === 50).map((l) => String(l['msg']));
      expect(errors.length).toBeGreaterThan(0);
      expect(new Set(errors).size).toBe(errors.length);
      for (const e of errors) expect(e).toContain(`${VS_FILE}[doc 0]`);
      expect(reviewsClusters(first)).toEqual(await reviewsClustersForNewProxy());
      expect(await reviewsClustersForNewProxy()).toEqual([
        'outbound|9080|v2|reviews.default.svc.cluster.local',
        'outbound|9080|v1|reviews.default.svc.cluster.local',
      ]);
      watcher.cancel();
    });
  }

  it('fixing the file applies it and pushes to connected proxies', async () => {
    const watcher = new RawXdsClient(cp.grpcPort);
    clients.push(watcher);
    watcher.send({ node: RawXdsClient.sidecarNode('ratings-v1', 'default', '127.0.0.31'), typeUrl: TYPE.RDS, resourceNames: ['9080'] });
    watcher.ack(await watcher.next(), ['9080']);
    writeFileSync(join(dir, VS_FILE), GOOD_VS.replace('SUBSET', 'v3'));
    expect(reviewsClusters(await watcher.next(3000))).toEqual(['outbound|9080|v3|reviews.default.svc.cluster.local']);
    expect(cp.nacks()).toEqual([]);
  });
});
