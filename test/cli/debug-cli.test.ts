// proxy-status, proxy-config, analyze and bootstrap as a user runs them: the built binary
// against a live control plane with a raw ADS client that ACKs CDS and LDS and NACKs RDS.
// Builds dist first when any source is newer (npm test builds before running).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startControlPlane } from '../../src/cli/control-plane.js';
import { proxyConfig } from '../../src/cli/proxy-config.js';
import { fromJson } from '../../src/envoy/codec.js';
import { validateMessage } from '../../src/envoy/validate.js';
import { copyBookinfo } from './bookinfo-copy.js';
import { RawXdsClient, TYPE } from '../support/raw-xds-client.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/src/cli/main.js');
const NODE = RawXdsClient.sidecarNode('productpage-v1', 'default', '127.0.0.10');

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Runs the CLI without blocking: the server it talks to lives in this process. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let cp: Awaited<ReturnType<typeof startControlPlane>>;
let server: string;
let client: RawXdsClient;

beforeAll(async () => {
  if (!existsSync(BIN) || newestMtime(join(ROOT, 'src')) > statSync(BIN).mtimeMs) {
    // tsc emits even when someone else's file has a type error; only a missing binary fails.
    spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  }
  if (!existsSync(join(ROOT, 'dist/src/cli/debug-commands.js'))) throw new Error('dist is missing the debug commands: run `npm run build`');
  dir = copyBookinfo('mini-istiod-cli-');
  cp = await startControlPlane({ configDir: dir, grpcAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', debounceAfterMs: 10 });
  server = `http://127.0.0.1:${cp.httpPort}`;
  client = new RawXdsClient(cp.grpcPort);
  client.send({ node: NODE, typeUrl: TYPE.CDS });
  client.ack(await client.next());
  client.send({ typeUrl: TYPE.LDS });
  client.ack(await client.next());
  client.send({ typeUrl: TYPE.RDS, resourceNames: ['9080'] });
  // A NACK carries the names the client still wants, as a real client's does.
  client.nack(await client.next(), '', 'route 9080: rejected on purpose', ['9080']);
  client.send({ typeUrl: TYPE.EDS, resourceNames: ['outbound|9080|v1|reviews.default.svc.cluster.local', 'outbound|9080||reviews.default.svc.cluster.local'] });
  await client.next(); // sent, never ACKed: STALE
  await new Promise((r) => setTimeout(r, 100));
}, 180_000);

afterAll(async () => {
  client?.close();
  await cp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('debug commands (built binary)', { timeout: 90_000 }, () => {
  it('proxy-status prints SYNCED, STALE and ERROR per type', async () => {
    const r = await run(['proxy-status', '--server', server]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'VERSION']);
    expect(row!.split(/\s{2,}/)).toEqual(['productpage-v1.default', expect.stringMatching(/^(-|productpage-v1\.default)$/), 'SYNCED', 'SYNCED', 'STALE', 'ERROR', expect.stringMatching(/Z\/1$/)]);
  });

  it('proxy-config clusters -o json by pod name: valid Envoy clusters', async () => {
    const r = await run(['proxy-config', 'clusters', 'productpage-v1', '--server', server, '-o', 'json']);
    expect(r.code).toBe(0);
    const clusters = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(clusters.length).toBeGreaterThan(10);
    for (const c of clusters) {
      const { ['@type']: _t, ...body } = c;
      expect(validateMessage('envoy.config.cluster.v3.Cluster', body)).toEqual([]);
    }
  });

  it('proxy-config fails clearly for an unknown proxy and an unreachable server', async () => {
    const unknown = await run(['proxy-config', 'routes', 'nobody', '--server', server]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no connected proxy matches "nobody"/);
    const down = await run(['proxy-status', '--server', 'http://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach mini-istiod at http:\/\/127\.0\.0\.1:1/);
  });

  it('analyze exits 79 on errors, 0 on warnings only', async () => {
    const bad = await run(['analyze', '--config-dir', 'test/analyze/fixtures/errors']);
    expect(bad.code).toBe(79);
    expect(bad.stdout).toMatch(/^Error \[IST0106\] \(DestinationRule default\/ratings test\/analyze\/fixtures\/errors\/schema\.yaml:12\)/);
    const warn = await run(['analyze', '--config-dir', 'test/analyze/fixtures/warnings']);
    expect(warn.code).toBe(0);
    expect(warn.stdout).toMatch(/^Warning \[IST0104\]/);
    expect((await run(['analyze', '--config-dir', dir])).stdout).toMatch(/No validation issues found/);
  });

  it('bootstrap prints an Envoy bootstrap that passes the strict codec and validate.rules', async () => {
    // One process per shape (each start-up costs seconds); test/cli/bootstrap.test.ts covers the rest.
    for (const extra of [['--delta']]) {
      const r = await run(['bootstrap', '--node-id', NODE.id, '--xds-address', 'localhost:15010', ...extra]);
      expect(r.code).toBe(0);
      const doc = parse(r.stdout) as Record<string, unknown>;
      expect(() => fromJson('envoy.config.bootstrap.v3.Bootstrap', doc)).not.toThrow();
      expect(validateMessage('envoy.config.bootstrap.v3.Bootstrap', doc)).toEqual([]);
    }
    const grpc = await run(['bootstrap', '--node-id', NODE.id, '--grpc']);
    expect(JSON.parse(grpc.stdout).node.metadata).toEqual({ GENERATOR: 'grpc', NAMESPACE: 'default' });
  });
});

describe('proxy-config tables', () => {
  const cfg = (type: string) => proxyConfig(type, 'productpage-v1.default', { server, output: 'table' });

  it('clusters: SERVICE FQDN, PORT, SUBSET, DIRECTION, TYPE, DESTINATION RULE', async () => {
    const lines = (await cfg('clusters')).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(lines[0]).toEqual(['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE']);
    expect(lines).toContainEqual(['BlackHoleCluster', '-', '-', '-', 'STATIC', '-']);
    expect(lines).toContainEqual(['reviews.default.svc.cluster.local', '9080', 'v2', 'outbound', 'EDS', 'reviews.default']);
    expect(lines).toContainEqual(['reviews.default.svc.cluster.local', '9080', '-', 'outbound', 'EDS', 'reviews.default']);
  });

  it('listeners: ADDRESS, PORT, MATCH, DESTINATION', async () => {
    const lines = (await cfg('listeners')).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(lines[0]).toEqual(['ADDRESS', 'PORT', 'MATCH', 'DESTINATION']);
    expect(lines).toContainEqual(['0.0.0.0', '9080', 'ALL', 'Route: 9080']);
    expect(lines).toContainEqual(['0.0.0.0', '15001', 'ALL', 'PassthroughCluster']);
  });

  it('routes: one row per route, with the VirtualService that made it', async () => {
    const lines = (await cfg('routes')).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(lines[0]).toEqual(['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE']);
    expect(lines).toContainEqual(['9080', 'reviews.default.svc.cluster.local:9080', 'reviews, reviews.default + 4 more...', '/* (headers: end-user)', 'reviews.default']);
    expect(lines).toContainEqual(['9080', 'details.default.svc.cluster.local:9080', 'details, details.default + 4 more...', '/*', '-']);
  });

  it('endpoints: ENDPOINT, STATUS, OUTLIER CHECK, CLUSTER for what the proxy subscribed', async () => {
    expect(await cfg('endpoints')).toBe(
      [
        'ENDPOINT          STATUS    OUTLIER CHECK   CLUSTER',
        '127.0.0.21:9080   HEALTHY   OK              outbound|9080|v1|reviews.default.svc.cluster.local',
        '127.0.0.21:9080   HEALTHY   OK              outbound|9080||reviews.default.svc.cluster.local',
        '127.0.0.22:9080   HEALTHY   OK              outbound|9080||reviews.default.svc.cluster.local',
        '127.0.0.23:9080   HEALTHY   OK              outbound|9080||reviews.default.svc.cluster.local',
        '',
      ].join('\n'),
    );
  });
});
