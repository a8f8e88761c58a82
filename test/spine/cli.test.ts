// The command line as a user runs it: the built binary (npm test builds first), real
// processes, real ports, real exit codes.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromJson } from '../../src/envoy/codec.js';
import { validateMessage } from '../../src/envoy/validate.js';
import { EXAMPLE_DIR } from '../support/bookinfo.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/src/cli/main.js');
const SIDECAR = 'sidecar~127.0.0.10~productpage-v1.default~default.svc.cluster.local';

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Dump = Record<string, unknown> & {
  configs: Record<string, unknown>[];
};
function section(d: Dump, type: string): Record<string, unknown> {
  const s = d.configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${type}`);
  if (!s) throw new Error(`no ${type} in dump`);
  return s;
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does it first)`);
});

describe('mini-istiod CLI', () => {
  it('--help lists the commands', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/serve/);
    expect(r.stdout).toMatch(/config-dump/);
  });

  it.each([
    [['serve', '--grpc-addr', 'nope'], /--grpc-addr.*expected HOST:PORT/],
    [['serve', '--debounce-after', 'soon'], /--debounce-after.*duration/],
    [['serve', '--log-format', 'xml'], /--log-format.*json or text/],
    [['serve', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['config-dump', '--config-dir', 'examples/bookinfo'], /required option '--node-id/],
    [['config-dump', '--config-dir', 'examples/bookinfo', '--node-id', 'bogus'], /node\.id "bogus"/],
  ])('%j fails with a clear message and a non-zero exit', (args, message) => {
    const r = run(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it("config-dump prints a sidecar's config as a valid envoy.admin.v3.ConfigDump", () => {
    const r = run(['config-dump', '--config-dir', 'examples/bookinfo', '--node-id', SIDECAR]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dump = JSON.parse(r.stdout) as Dump;
    fromJson('envoy.admin.v3.ConfigDump', dump);
    expect(validateMessage('envoy.admin.v3.ConfigDump', dump)).toEqual([]);
    const listeners = (section(dump, 'ListenersConfigDump')['dynamicListeners'] as { name: string }[]).map((l) => l.name);
    expect(listeners).toEqual(expect.arrayContaining(['virtualOutbound', '0.0.0.0_9080']));
    const clusters = (section(dump, 'ClustersConfigDump')['dynamicActiveClusters'] as { cluster: { name: string } }[]).map((c) => c.cluster.name);
    expect(clusters).toEqual(expect.arrayContaining(['outbound|9080||reviews.default.svc.cluster.local', 'outbound|9080|v2|reviews.default.svc.cluster.local']));
    const routes = (section(dump, 'RoutesConfigDump')['dynamicRouteConfigs'] as { routeConfig: { name: string } }[]).map((x) => x.routeConfig.name);
    expect(routes).toContain('9080');
  });

  it('config-dump --metadata GENERATOR=grpc gives the proxyless view, as YAML with -o yaml', () => {
    const r = run(['config-dump', '--config-dir', 'examples/bookinfo', '--node-id', 'grpc-client-1', '--metadata', 'GENERATOR=grpc', '--metadata', 'NAMESPACE=default', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/name: reviews\.default\.svc\.cluster\.local:9080/);
    expect(r.stdout).toMatch(/routeConfigName: outbound\|9080\|\|reviews\.default\.svc\.cluster\.local/);
    expect(r.stdout).not.toMatch(/virtualOutbound/);
  });

  it('config-dump on a directory with a broken file names it on stderr and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mini-istiod-cli-'));
    try {
      cpSync(EXAMPLE_DIR, dir, { recursive: true });
      writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: bad}\nspec: {hosts: [reviews], htp: []}\n');
      const r = run(['config-dump', '--config-dir', dir, '--node-id', SIDECAR]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/broken\.yaml\[doc 0\] VirtualService default\/bad: spec.*htp/);
      expect(JSON.parse(r.stdout)).toHaveProperty('configs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mini-istiod serve', () => {
  let child: ReturnType<typeof spawn> | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('serves the example: /ready turns 200, /metrics has pilot metrics, SIGTERM exits 0', async () => {
    child = spawn(process.execPath, [BIN, 'serve', '--config-dir', 'examples/bookinfo', '--grpc-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0'], { cwd: ROOT });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    const http = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ready log line in 15 s:\n${out}`)), 15_000);
      child!.stdout?.on('data', () => {
        const line = out.split('\n').find((l) => l.includes('"mini-istiod ready"'));
        if (line) {
          clearTimeout(t);
          resolve((JSON.parse(line) as { http: string }).http);
        }
      });
    });
    const ready = await fetch(`http://${http}/ready`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://${http}/metrics`)).text();
    for (const m of ['pilot_xds ', 'pilot_xds_pushes', 'pilot_total_xds_rejects', 'pilot_proxy_convergence_time']) expect(metrics).toContain(m);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
  });
});
