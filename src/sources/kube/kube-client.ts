// A thin HTTP client for the three calls an informer needs: GET JSON (discovery, paged
// lists) and a watch stream of newline-delimited JSON events. Authentication and TLS come
// from @kubernetes/client-node's KubeConfig (tokens, exec plugins, client certificates,
// in-cluster service account); the requests themselves are plain node:http(s), so that an
// error keeps the API server's Status message and a stream can be cut by a deadline.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** An API server answer other than 2xx, with its Status reason and message when given. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly apiMessage: string,
  ) {
    super(`${code} ${reason}${apiMessage ? `: ${apiMessage}` : ''}`);
    this.name = 'KubeApiError';
  }
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface WatchOptions {
  /** Abort the stream if the server has not ended it by then (a half-open connection). */
  deadlineMs: number;
  signal?: AbortSignal;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The Status object of an error answer, read defensively: proxies answer with HTML. */
export function apiErrorFrom(code: number, body: string): KubeApiError {
  let reason = http.STATUS_CODES[code] ?? 'Error';
  let message = '';
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed)) {
      if (typeof parsed['reason'] === 'string' && parsed['reason'] !== '') reason = parsed['reason'];
      if (typeof parsed['message'] === 'string') message = parsed['message'];
    }
  } catch {
    message = body.slice(0, 200).trim();
  }
  return new KubeApiError(code, reason, message);
}

/** Transport failures (refused, reset, timed out): worth retrying, unlike most API errors. */
export function isConnectionError(err: unknown): boolean {
  return !(err instanceof KubeApiError);
}

export class KubeClient {
  private readonly server: URL;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig: context "${kc.getCurrentContext()}" names no cluster`);
    this.server = new URL(cluster.server);
  }

  /** The API server's base URL, for log lines. */
  get serverUrl(): string {
    return this.server.toString();
  }

  /** Checks what is checkable before any request (e.g. client-node refuses plain http without insecure-skip-tls-verify). */
  async checkConfig(): Promise<void> {
    try {
      await this.kc.applyToHTTPSOptions({});
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const hint = this.server.protocol === 'http:' ? ' (a plain http server needs `insecure-skip-tls-verify: true` on its kubeconfig cluster)' : '';
      throw new Error(`kubeconfig for ${this.server.origin}: ${msg}${hint}`);
    }
  }

  private async request(path: string, signal: AbortSignal | undefined): Promise<{ req: http.ClientRequest; res: Promise<http.IncomingMessage> }> {
    // Per request: exec plugins and token files may rotate credentials.
    const opts: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    const mod = url.protocol === 'http:' ? http : https;
    const req = mod.request(url, {
      method: 'GET',
      agent: opts.agent,
      auth: opts.auth,
      headers: { ...opts.headers, Accept: 'application/json' },
      signal,
    });
    const res = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    req.end();
    return { req, res };
  }

  /** GET a JSON document; a non-2xx answer throws KubeApiError. */
  async getJson(path: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Record<string, unknown>> {
    const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
    const { res } = await this.request(path, signal);
    const r = await res;
    const chunks: Buffer[] = [];
    for await (const c of r) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const code = r.statusCode ?? 0;
    if (code < 200 || code >= 300) throw apiErrorFrom(code, body);
    const parsed: unknown = JSON.parse(body);
    if (!isRecord(parsed)) throw new Error(`GET ${path}: expected a JSON object`);
    return parsed;
  }

  /**
   * Streams a watch: `onEvent` gets each event in order. Resolves when the server ends the
   * stream (its timeoutSeconds, or a restart); rejects on a non-200 answer (KubeApiError)
   * or a broken connection.
   */
  async watch(path: string, onEvent: (e: WatchEvent) => void, opts: WatchOptions): Promise<void> {
    const ac = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal;
    const deadline = setTimeout(() => ac.abort(new Error(`watch ${path}: no end from the server within ${opts.deadlineMs} ms`)), opts.deadlineMs);
    try {
      const { res } = await this.request(path, signal);
      const r = await res;
      const code = r.statusCode ?? 0;
      if (code !== 200) {
        const chunks: Buffer[] = [];
        for await (const c of r) chunks.push(c as Buffer);
        throw apiErrorFrom(code, Buffer.concat(chunks).toString('utf8'));
      }
      r.setEncoding('utf8');
      let buf = '';
      // An aborted or reset response ends its iteration with an error: that rejects here.
      for await (const chunk of r) {
        buf += chunk as string;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line !== '') onEvent(parseEvent(line, path));
        }
      }
      if (buf.trim() !== '') onEvent(parseEvent(buf.trim(), path));
      // A response cut mid-stream ends "cleanly" for some transports: treat as broken.
      if (!r.complete) throw new Error(`watch ${path}: connection closed mid-stream`);
    } finally {
      clearTimeout(deadline);
    }
  }
}

function parseEvent(line: string, path: string): WatchEvent {
  const parsed: unknown = JSON.parse(line);
  if (!isRecord(parsed) || typeof parsed['type'] !== 'string' || !isRecord(parsed['object'])) {
    throw new Error(`watch ${path}: malformed event: ${line.slice(0, 200)}`);
  }
  return parsed as unknown as WatchEvent;
}
