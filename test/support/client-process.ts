// Spawns a proxyless gRPC client driver (grpc-js-xds-client.mjs or cxx_client.py) as a
// child process and talks to it over its JSON-lines protocol. Each driver is its own
// process because both gRPC stacks keep one xDS client per process, configured from the
// environment. Every child is killed on close(), and on exit of this process.
//
// Debugging: the children inherit the environment, so
//   GRPC_TRACE=xds_client,xds_resolver,cds_balancer,xds_cluster_resolver GRPC_VERBOSITY=DEBUG \
//   E2E_CLIENT_STDERR=1 E2E_CP_LOG=debug npx vitest run test/e2e/grpc-js-xds.test.ts
// shows the client's view next to the control plane's log (C-core: GRPC_TRACE=xds_client
// GRPC_VERBOSITY=debug). Without E2E_CLIENT_STDERR, a failing test prints the stderr tail.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type ClientKind = 'grpc-js-xds' | 'cxx';

/** Debian's python3 with python3-grpcio; the python3 first on PATH may lack grpc. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const PYTHON_GRPC_HINT = 'python grpc is missing: run `apt-get install -y python3-grpcio` (the C-core tests use /usr/bin/python3)';

export interface CallRequest {
  target: string;
  count?: number;
  metadata?: Record<string, string>;
  /** Deadline of each call. */
  timeoutMs?: number;
  /** Calls in flight at once. */
  concurrency?: number;
}

export interface CallResult {
  ok: number;
  byBackend: Record<string, number>;
  /** Failed calls by gRPC status name (UNAVAILABLE, ...). */
  errors: Record<string, number>;
  /** One sample message per status name. */
  details: Record<string, string>;
}

export interface LoopCall {
  /** Date.now() when the call started and ended, in the client process. */
  start: number;
  end: number;
  backend?: string;
  error?: string;
  message?: string;
}

export interface ClientOptions {
  kind: ClientKind;
  /** The control plane's xDS port on 127.0.0.1; omit for a client that only dials dns:/// targets. */
  xdsPort?: number;
  /** node.id; defaults to an Istio-style sidecar id for a productpage pod. */
  nodeId?: string;
  /** Extra environment, e.g. GRPC_TRACE / GRPC_VERBOSITY for a debugging run. */
  env?: Record<string, string>;
}

/** The bootstrap a proxyless client gets (Istio's agent writes the same shape). */
export function xdsBootstrap(port: number, nodeId: string): object {
  return {
    xds_servers: [{ server_uri: `127.0.0.1:${port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    // grpc-js-xds needs a locality; GENERATOR tells the control plane this is proxyless gRPC.
    node: { id: nodeId, cluster: 'productpage', locality: {}, metadata: { GENERATOR: 'grpc', NAMESPACE: 'default' } },
  };
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

type Reply = Record<string, unknown> & { id?: number; event: string };

export class ClientProcess {
  private nextId = 1;
  private readonly waiters = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private loopCalls: LoopCall[] | undefined;
  private stderr = '';
  private exited: string | undefined;
  private readonly ready: Promise<Reply>;
  private readonly gone: Promise<void>;

  constructor(
    readonly kind: ClientKind,
    private readonly child: ChildProcess,
    private readonly tmpDir: string | undefined,
  ) {
    live.add(child);
    // Writing to a driver that died must not crash the test process (EPIPE); the 'exit'
    // handler below reports the death instead.
    child.stdin!.on('error', () => undefined);
    let onReady!: (r: Reply) => void;
    let onFatal!: (e: Error) => void;
    this.ready = new Promise((res, rej) => ((onReady = res), (onFatal = rej)));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      // Keep the tail only: traces can be huge, and only the end explains a failure.
      this.stderr = (this.stderr + s).slice(-200_000);
      if (process.env.E2E_CLIENT_STDERR) process.stderr.write(`[${kind}] ${s}`);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let msg: Reply;
      try {
        msg = JSON.parse(line) as Reply;
      } catch {
        this.stderr += `\n[stdout] ${line}`;
        return;
      }
      if (msg.event === 'ready') onReady(msg);
      else if (msg.event === 'fatal') onFatal(new Error(String(msg.message)));
      else if (msg.event === 'call') this.loopCalls?.push(msg as unknown as LoopCall);
      else if (msg.id !== undefined) this.settle(msg.id, msg);
    });
    let onGone!: () => void;
    this.gone = new Promise((res) => (onGone = res));
    const ended = (why: string) => {
      if (this.exited) return;
      live.delete(child);
      this.exited = `${kind} client ${why}`;
      const err = new Error(`${this.exited}; stderr tail:\n${this.stderrTail()}`);
      onFatal(err);
      for (const w of this.waiters.values()) w.reject(err);
      this.waiters.clear();
      onGone();
    };
    child.on('exit', (code, signal) => ended(`exited (code ${code}, signal ${signal})`));
    // e.g. the interpreter is missing: there is no 'exit' then.
    child.on('error', (e) => ended(`could not run: ${e.message}`));
  }

  /** Resolves once the driver has loaded its gRPC stack. */
  async started(): Promise<this> {
    await this.ready;
    return this;
  }

  private settle(id: number, msg: Reply): void {
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    if (msg.event === 'error') w.reject(new Error(`${this.kind} client: ${String(msg.message)}`));
    else w.resolve(msg);
  }

  private request(cmd: Record<string, unknown>): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    const p = new Promise<Reply>((resolve, reject) => this.waiters.set(id, { resolve, reject }));
    this.child.stdin!.write(JSON.stringify({ id, ...cmd }) + '\n');
    return p;
  }

  /** Makes `count` calls and returns who answered. */
  async call(req: CallRequest): Promise<CallResult> {
    const r = await this.request({ op: 'call', count: 1, timeoutMs: 5000, ...req });
    return { ok: r.ok as number, byBackend: r.byBackend as Record<string, number>, errors: r.errors as Record<string, number>, details: r.details as Record<string, string> };
  }

  /**
   * Calls until `accept` likes a batch (readiness, or a route change having arrived), and
   * returns that batch. Fails with the last batch seen after `timeoutMs`.
   */
  async waitFor(req: CallRequest, accept: (r: CallResult) => boolean, timeoutMs = 30_000): Promise<CallResult> {
    const until = Date.now() + timeoutMs;
    let last: CallResult | undefined;
    for (;;) {
      last = await this.call({ timeoutMs: 2000, ...req });
      if (accept(last)) return last;
      if (Date.now() > until) {
        throw new Error(`${this.kind}: no acceptable batch after ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Starts calling every `intervalMs` (grpc-js driver only); stop() returns every call made. */
  async loop(req: CallRequest & { intervalMs?: number }): Promise<void> {
    if (this.exited) throw new Error(this.exited);
    this.loopCalls = [];
    this.child.stdin!.write(JSON.stringify({ id: this.nextId++, op: 'loop', ...req }) + '\n');
  }

  /** Calls the running loop has reported so far. */
  loopCount(): number {
    return this.loopCalls?.length ?? 0;
  }

  async stop(): Promise<LoopCall[]> {
    await this.request({ op: 'stop' });
    const calls = this.loopCalls ?? [];
    this.loopCalls = undefined;
    return calls;
  }

  stderrTail(chars = 20_000): string {
    return this.stderr.slice(-chars);
  }

  async close(): Promise<void> {
    if (!this.exited) {
      this.child.stdin!.end(); // the drivers exit when stdin closes
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await this.gone;
      clearTimeout(timer);
    }
    if (this.tmpDir) rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

const SUPPORT = fileURLToPath(new URL('.', import.meta.url));

/** Spawns a driver and waits until it has loaded its gRPC stack. */
export async function startClient(opts: ClientOptions): Promise<ClientProcess> {
  const nodeId = opts.nodeId ?? `sidecar~127.0.0.10~productpage-v1-${opts.kind}-${process.pid}.default~default.svc.cluster.local`;
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  let tmpDir: string | undefined;
  let child: ChildProcess;
  if (opts.kind === 'grpc-js-xds') {
    if (opts.xdsPort !== undefined) env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify(xdsBootstrap(opts.xdsPort, nodeId));
    child = spawn(process.execPath, [join(SUPPORT, 'grpc-js-xds-client.mjs')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  } else {
    if (opts.xdsPort !== undefined) {
      tmpDir = mkdtempSync(join(tmpdir(), 'mini-istiod-cxx-'));
      env.GRPC_XDS_BOOTSTRAP = join(tmpDir, 'bootstrap.json');
      writeFileSync(env.GRPC_XDS_BOOTSTRAP, JSON.stringify(xdsBootstrap(opts.xdsPort, nodeId)));
    }
    child = spawn(SYSTEM_PYTHON, ['-u', join(SUPPORT, 'cxx_client.py')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  }
  const client = new ClientProcess(opts.kind, child, tmpDir);
  try {
    return await withTimeout(client.started(), 30_000, `${opts.kind} client did not start`);
  } catch (e) {
    await client.close().catch(() => undefined);
    const msg = (e as Error).message;
    throw new Error(opts.kind === 'cxx' && /grpc|ENOENT|spawn/i.test(msg) ? `${PYTHON_GRPC_HINT}\n${msg}` : msg);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what} within ${ms} ms`)), ms))),
  ]);
}
