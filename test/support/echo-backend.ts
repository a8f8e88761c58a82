// A gRPC backend standing in for one Bookinfo pod: it serves echo.Echo/Whoami on the pod's
// own 127.0.0.x address and answers with its name, so a test can see which pod a client
// picked. It can be told to fail or to answer slowly.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = fileURLToPath(new URL('../fixtures/echo.proto', import.meta.url));

export interface BackendBehavior {
  /** Answer every call with this status instead of the name. */
  failWith?: grpc.status;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface BackendOptions extends BackendBehavior {
  /** A loopback address, e.g. '127.0.1.21'. */
  address: string;
  port: number;
  /** What Whoami returns, e.g. 'reviews-v1'. */
  name: string;
}

export interface Backend {
  name: string;
  address: string;
  port: number;
  /** Calls answered (or failed on purpose) so far. */
  calls(): number;
  setBehavior(b: BackendBehavior): void;
  close(): Promise<void>;
}

interface EchoService {
  Echo: { service: grpc.ServiceDefinition };
}

function loadEcho(): grpc.ServiceDefinition {
  const def = protoLoader.loadSync(PROTO, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { echo: EchoService };
  return pkg.echo.Echo.service;
}

export async function startBackend(opts: BackendOptions): Promise<Backend> {
  const server = new grpc.Server();
  let behavior: BackendBehavior = { failWith: opts.failWith, delayMs: opts.delayMs };
  let calls = 0;
  server.addService(loadEcho(), {
    Whoami(_call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) {
      calls++;
      const { failWith, delayMs } = behavior;
      const answer = () => {
        if (failWith !== undefined) callback({ code: failWith, details: `${opts.name} told to fail` });
        else callback(null, { name: opts.name });
      };
      if (delayMs) setTimeout(answer, delayMs);
      else answer();
    },
  });
  const hostPort = `${opts.address}:${opts.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(hostPort, grpc.ServerCredentials.createInsecure(), (err, p) => {
      if (err) reject(new Error(`backend ${opts.name} cannot listen on ${hostPort}: ${err.message}`));
      else resolve(p);
    });
  });
  return {
    name: opts.name,
    address: opts.address,
    port,
    calls: () => calls,
    setBehavior(b) {
      behavior = { ...b };
    },
    close: () =>
      new Promise<void>((resolve) => {
        // tryShutdown waits for in-flight calls; force it if a client keeps a call open.
        const timer = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
