// The transport floor: a bare grpc-js server that writes the same bytes to every client of
// a bidi stream and waits for each client's 1-byte reply. No xDS, no generation, no state:
// what Node and grpc-js cost to fan a message out and hear back. Our convergence is
// reported as a multiple of this.
import * as grpc from '@grpc/grpc-js';
import { percentile } from './tracker.js';

export interface Floor {
  port: number;
  /** Sends `bytes` to every stream; resolves with each stream's round trip in ms. */
  fan(bytes: number): Promise<number[]>;
  streams(): number;
  close(): Promise<void>;
}

export async function startFloor(): Promise<Floor> {
  const streams: { call: grpc.ServerDuplexStream<Buffer, Buffer>; waiter?: () => void }[] = [];
  const ident = (b: Buffer): Buffer => b;
  const server = new grpc.Server();
  server.addService(
    { Fan: { path: '/bench.Floor/Fan', requestStream: true, responseStream: true, requestSerialize: ident, requestDeserialize: ident, responseSerialize: ident, responseDeserialize: ident } },
    {
      Fan: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        const s: (typeof streams)[number] = { call };
        let hello = true;
        call.on('data', () => {
          if (hello) {
            hello = false;
            streams.push(s);
            return;
          }
          s.waiter?.();
        });
        call.on('error', () => {});
      },
    },
  );
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return {
    port,
    streams: () => streams.length,
    async fan(bytes: number): Promise<number[]> {
      const payload = Buffer.alloc(bytes, 7);
      const start = performance.now();
      const done = streams.map((s) => new Promise<number>((r) => (s.waiter = () => r(performance.now() - start))));
      for (const s of streams) s.call.write(payload);
      return Promise.all(done);
    },
    close: () =>
      new Promise<void>((r) => {
        server.forceShutdown();
        r();
      }),
  };
}

export function floorSummary(xs: number[]): { p50: number; p99: number; max: number } {
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(...xs) };
}
