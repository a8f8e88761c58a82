// The web UI in a real browser (Debian's headless chromium via playwright-core) against a
// real control plane on a temp copy of Bookinfo, with an Envoy-like raw xDS client: the
// page lists the client and its sync state, browses route → cluster → endpoints, shows a
// push caused by editing a file (and the diff it made), and shows a NACK in red.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../src/cli/control-plane.js';
import { bookinfoConfig, routeAllTo, routeJasonToV2, routeWeighted, type ControlPlane } from '../support/bookinfo.js';
import { TYPE } from '../support/raw-xds-client.js';
import { EnvoyLikeClient } from './envoy-like-client.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
// This file's own loopback range (see test/support/bookinfo.ts).
const NET = '127.0.10';
const NODE = `sidecar~${NET}.10~productpage-v1.default~default.svc.cluster.local`;
const REVIEWS_V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local';
const VS_FILE = 'virtual-service-reviews.yaml';

let configDir: string;
let profileDir: string;
let cp: ControlPlane;
let client: EnvoyLikeClient;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the UI test needs Debian's chromium (run \`apt-get install -y chromium\`)`);
  }
  mkdirSync(SHOTS, { recursive: true });
  configDir = mkdtempSync(join(tmpdir(), 'mini-istiod-ui-'));
  for (const [f, text] of bookinfoConfig(NET)) writeFileSync(join(configDir, f), text);
  writeFileSync(join(configDir, VS_FILE), routeJasonToV2());
  cp = await startControlPlane({
    configDir,
    grpcAddr: '127.0.0.1:0',
    httpAddr: '127.0.0.1:0',
    debounceAfterMs: 100,
    debounceMaxMs: 1000,
    logger: pino({ level: process.env.E2E_CP_LOG ?? 'warn' }),
  });
  client = new EnvoyLikeClient(cp.grpcPort, NODE);
  // A new, empty profile: nothing cached or remembered from another run.
  profileDir = mkdtempSync(join(tmpdir(), 'mini-istiod-ui-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => console.error('page error:', err));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  client?.close();
  await cp?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

const proxyRow = () => page.locator(`#proxy-table tr[data-proxy="${NODE}"]`);

describe('web UI', () => {
  it('lists the connected client with every type SYNCED', async () => {
    await page.goto(`http://127.0.0.1:${cp.httpPort}/ui`);
    await expect(page.title()).resolves.toBe('mini-istiod');
    await proxyRow().waitFor();
    for (const type of ['lds', 'rds', 'cds', 'eds']) {
      await proxyRow().locator(`td[data-type="${type}"][data-state="SYNCED"]`).waitFor();
    }
    await page.locator('#live.on').waitFor();
    await page.screenshot({ path: join(SHOTS, '1-proxies.png'), fullPage: true });
  });

  it('follows references: route config → virtual host → route → cluster → endpoints', async () => {
    await proxyRow().getByRole('button', { name: NODE }).click();
    const resources = page.locator('#resources');
    await resources.getByRole('button', { name: '9080', exact: true }).first().click();
    await page.locator('#vhosts').getByRole('button', { name: 'reviews.default.svc.cluster.local:9080' }).click();
    // The example's VirtualService: end-user jason → v2, everyone else → v1.
    const routes = page.locator('#routes');
    await routes.getByRole('button', { name: REVIEWS_V1 }).click();
    await page.locator(`#resource-detail[data-kind="cluster"][data-name="${REVIEWS_V1}"]`).waitFor();
    await page.locator('#endpoints-link').click();
    const endpoints = page.locator('#endpoint-table');
    await endpoints.waitFor();
    await expect(endpoints.textContent()).resolves.toContain(`${NET}.21:9080`);
    await expect(endpoints.textContent()).resolves.not.toContain(`${NET}.22:9080`);
    await page.screenshot({ path: join(SHOTS, '2-endpoints.png'), fullPage: true });
  });

  it('shows the push an edited file causes, and the diff it made', async () => {
    writeFileSync(join(configDir, VS_FILE), routeAllTo('v3'));
    const entry = page.locator('#timeline > li').filter({ hasText: 'VirtualService default/reviews' }).first();
    await entry.waitFor();
    await expect(entry.textContent()).resolves.toMatch(/update VirtualService default\/reviews/);
    // Every response of the push ACKed: the entry says how long convergence took.
    await entry.getByText('converged in').waitFor();
    await page.screenshot({ path: join(SHOTS, '3-timeline.png'), fullPage: true });

    await page.getByRole('tab', { name: 'Diff between versions' }).click();
    const diff = page.locator('#diff-output .diff');
    await diff.waitFor();

    await expect(diff.locator('.add').filter({ hasText: 'outbound|9080|v3|reviews.default.svc.cluster.local' }).count()).resolves.toBeGreaterThan(0);
    await expect(diff.locator('.del').filter({ hasText: 'end-user' }).count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, '4-diff.png'), fullPage: true });
  });

  it('shows a NACK plainly, in red, with type, nonce and message', async () => {
    const message = 'route: cluster outbound|9080|v2|reviews.default.svc.cluster.local: rejected by the test client';
    client.rejectNext(TYPE.RDS, message);
    writeFileSync(join(configDir, VS_FILE), routeWeighted({ v1: 50, v2: 50 }));
    const nack = page.locator('#nacks .nack').first();
    await nack.waitFor();
    const text = await nack.textContent();
    expect(text).toContain('NACK RDS');
    expect(text).toContain(message);
    const nonce = await nack.getAttribute('data-nonce');
    expect(nonce).toBeTruthy();
    expect(text).toContain(nonce);
    // Runs in the page; the test's own TS lib has no DOM types.
    const color = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color;
    await expect(nack.evaluate(color)).resolves.toBe('rgb(164, 14, 38)');
    await proxyRow().locator('td[data-type="rds"][data-state="ERROR"]').waitFor();
    await page.locator('#timeline > li.has-nack').first().waitFor();
    await page.screenshot({ path: join(SHOTS, '5-nack.png'), fullPage: true });
  });
});
