// The monitoring HTTP server (Istio's 15014): /ready, /metrics, and a route table that
// the debug endpoints (/debug/syncz, /debug/config_dump, ...) plug into with route().
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';

export interface RouteResult {
  /** Default 200. */
  status?: number;
  /** Default text/plain for strings, application/json for objects. */
  contentType?: string;
  /** A string or Buffer is sent as is; anything else as indented JSON. */
  body: unknown;
}

export type RouteHandler = (url: URL, req: IncomingMessage) => RouteResult | Promise<RouteResult>;

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
}

export class DebugHttpServer {
  private readonly routes = new Map<string, RouteHandler>();
  private readonly server: Server;
  private ready = false;

  constructor(private readonly opts: HttpServerOptions) {
    this.route('/ready', () => (this.ready ? { body: 'ready\n' } : { status: 503, body: 'not ready\n' }));
    this.route('/metrics', async () => {
      const { contentType, body } = await opts.metrics.exposition();
      return { contentType, body };
    });
    this.server = createServer((req, res) => void this.handle(req, res));
    // Malformed HTTP never reaches handle(): answer 400 and drop the socket, never throw.
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Adds (or replaces) a GET route for an exact path. */
  route(path: string, handler: RouteHandler): this {
    this.routes.set(path, handler);
    return this;
  }

  /** Config is loaded and gRPC is listening: /ready answers 200 from now on. */
  setReady(): void {
    this.ready = true;
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = (this.server.address() as AddressInfo).port;
    this.opts.logger.info({ host, port: bound }, 'monitoring HTTP server listening');
    return bound;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, { status: 400, body: 'bad request URL\n' });
    }
    const handler = this.routes.get(url.pathname);
    if (!handler) return send(res, { status: 404, body: `not found: ${url.pathname}\n` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, { status: 405, body: 'method not allowed\n' });
    }
    try {
      send(res, await handler(url, req), req.method === 'HEAD');
    } catch (err) {
      this.opts.logger.error({ err, path: url.pathname }, 'debug handler failed');
      send(res, { status: 500, body: `internal error: ${(err as Error).message}\n` });
    }
  }
}

function send(res: ServerResponse, r: RouteResult, headOnly = false): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const raw = typeof r.body === 'string' || Buffer.isBuffer(r.body);
  const body = raw ? (r.body as string | Buffer) : `${JSON.stringify(r.body, null, 2)}\n`;
  res.statusCode = r.status ?? 200;
  res.setHeader('Content-Type', r.contentType ?? (raw ? 'text/plain; charset=utf-8' : 'application/json'));
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(headOnly ? undefined : body);
}
