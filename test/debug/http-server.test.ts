// Monitoring HTTP server: readiness, metrics exposition, routing, robustness.
import { connect } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DebugHttpServer } from '../../src/debug/http-server.js';
import { Metrics } from '../../src/metrics.js';

let srv: DebugHttpServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function start(): Promise<{ base: string; port: number; metrics: Metrics }> {
  const metrics = new Metrics();
  srv = new DebugHttpServer({ logger: pino({ level: 'silent' }), metrics });
  const port = await srv.listen('127.0.0.1', 0);
  return { base: `http://127.0.0.1:${port}`, port, metrics };
}

describe('DebugHttpServer', () => {
  it('answers /ready 503 until setReady(), then 200 "ready"', async () => {
    const { base } = await start();
    const before = await fetch(`${base}/ready`);
    expect(before.status).toBe(503);
    srv!.setReady();
    const after = await fetch(`${base}/ready`);
    expect(after.status).toBe(200);
    expect((await after.text()).trim()).toBe('ready');
  });

  it('serves every pilot metric and the process defaults at /metrics', async () => {
    const { base, metrics } = await start();
    metrics.xdsPushes.inc({ type: 'cds' });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    for (const name of [
      'pilot_xds ',
      'pilot_xds_pushes{type="cds"} 1',
      'pilot_total_xds_rejects',
      'pilot_proxy_convergence_time',
      'pilot_xds_push_time',
      'pilot_debounce_time',
      'pilot_services',
      'pilot_xds_config_size_bytes',
      'process_cpu_user_seconds_total',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/ready`, { method: 'POST' })).status).toBe(405);
  });

  it('makes adding a route one call, with JSON bodies and 500 on handler errors', async () => {
    const { base } = await start();
    srv!.route('/debug/echo', (url) => ({ body: { q: url.searchParams.get('q') } }));
    srv!.route('/debug/broken', () => {
      throw new Error('kaput');
    });
    const echo = await fetch(`${base}/debug/echo?q=hi`);
    expect(echo.headers.get('content-type')).toBe('application/json');
    expect(await echo.json()).toEqual({ q: 'hi' });
    const broken = await fetch(`${base}/debug/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.text()).toMatch(/kaput/);
  });

  it('survives malformed HTTP', async () => {
    const { base, port } = await start();
    const reply = await new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => sock.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      sock.on('data', (d) => (data += d.toString()));
      sock.on('close', () => resolve(data));
      sock.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/400/);
    expect((await fetch(`${base}/ready`)).status).toBe(503);
  });
});
