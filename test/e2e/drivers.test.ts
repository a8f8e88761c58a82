// The client drivers and the echo backend on their own, without xDS (dns:/// targets):
// when an xDS test fails, this one tells whether the drivers themselves work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClient, type ClientKind, type ClientProcess } from '../support/client-process.js';
import { startBackend, type Backend } from '../support/echo-backend.js';
import * as grpc from '@grpc/grpc-js';

// This file's own loopback range, so e2e files can run in parallel.
const NET = '127.0.3';
const PORT = 9080;

describe.each<ClientKind>(['grpc-js-xds', 'cxx'])('%s driver without xDS', (kind) => {
  let backend: Backend;
  let client: ClientProcess;

  beforeAll(async () => {
    backend = await startBackend({ address: `${NET}.${kind === 'cxx' ? 22 : 21}`, port: PORT, name: `echo-${kind}` });
    client = await startClient({ kind });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await backend?.close();
  });

  it('calls Whoami on a dns:/// target and counts the answers', async () => {
    const target = `dns:///${backend.address}:${PORT}`;
    const r = await client.call({ target, count: 20 });
    expect(r).toMatchObject({ ok: 20, byBackend: { [`echo-${kind}`]: 20 }, errors: {} });
  });

  it('passes metadata and reports failures by status name', async () => {
    backend.setBehavior({ failWith: grpc.status.PERMISSION_DENIED });
    try {
      const r = await client.call({ target: `dns:///${backend.address}:${PORT}`, count: 5, metadata: { 'end-user': 'jason' } });
      expect(r.ok).toBe(0);
      expect(r.errors).toEqual({ PERMISSION_DENIED: 5 });
    } finally {
      backend.setBehavior({});
    }
  });

  it('reports deadlines', async () => {
    backend.setBehavior({ delayMs: 500 });
    try {
      const r = await client.call({ target: `dns:///${backend.address}:${PORT}`, count: 2, timeoutMs: 100 });
      expect(r.errors).toEqual({ DEADLINE_EXCEEDED: 2 });
    } finally {
      backend.setBehavior({});
    }
  });
});

describe('grpc-js-xds driver loop', () => {
  it('streams one timestamped line per call until stopped', async () => {
    const backend = await startBackend({ address: `${NET}.23`, port: PORT, name: 'echo-loop' });
    const client = await startClient({ kind: 'grpc-js-xds' });
    try {
      await client.loop({ target: `dns:///${backend.address}:${PORT}`, intervalMs: 5 });
      // Wait for calls, not for time: a loaded CI machine may start the loop slowly.
      const deadline = Date.now() + 15_000;
      while (client.loopCount() <= 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const calls = await client.stop();
      expect(calls.length).toBeGreaterThan(5);
      expect(calls.every((c) => c.backend === 'echo-loop' && c.end >= c.start)).toBe(true);
      expect(await client.stop()).toEqual([]);
    } finally {
      await client.close();
      await backend.close();
    }
  });
});
