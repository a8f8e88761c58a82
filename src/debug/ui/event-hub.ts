// Live updates for the UI as server-sent events (text/event-stream).
//
// The debug HTTP server's routes return one complete response, so the stream is served in
// rounds: a request waits until there is something newer than its Last-Event-ID (or until
// HOLD_MS passes), gets those events with a `retry:` hint, and the response ends. EventSource
// reconnects by itself after `retry` ms, sending Last-Event-ID, so nothing is lost between
// rounds and no event is sent twice. The cost is one request per burst of events, which
// for a debug page is nothing; a streaming route would remove it.
import type { IncomingMessage } from 'node:http';
import type { RouteResult } from '../http-server.js';

/** How long one round waits for news before answering with a keep-alive comment. */
const HOLD_MS = 15_000;
/** Events that arrive together are sent together: wait this long after the first. */
const BATCH_MS = 30;
/** Reconnect delay the browser is told to use between rounds. */
const RETRY_MS = 100;
/** Events kept for clients that reconnect; older ones are gone (the client then reloads its state). */
const KEEP = 500;

export interface HubEvent {
  id: number;
  /** SSE event name: connect, disconnect, push, send, ack, nack, config. */
  event: string;
  data: unknown;
}

export class EventHub {
  private readonly events: HubEvent[] = [];
  private nextId = 1;
  private waiters = new Set<() => void>();

  publish(event: string, data: unknown): void {
    this.events.push({ id: this.nextId++, event, data });
    if (this.events.length > KEEP) this.events.shift();
    const woken = this.waiters;
    this.waiters = new Set();
    for (const w of woken) w();
  }

  /** Events with an id above `after`, oldest first. */
  since(after: number): HubEvent[] {
    return this.events.filter((e) => e.id > after);
  }

  latestId(): number {
    return this.nextId - 1;
  }

  /** The /ui/events handler: one round of the stream. */
  async handle(url: URL, req: IncomingMessage): Promise<RouteResult> {
    // EventSource sends Last-Event-ID when it reconnects; ?since= lets anything else resume.
    const header = req.headers['last-event-id'];
    const raw = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('since') ?? undefined;
    const after = raw === undefined || !/^\d+$/.test(raw) ? -1 : Number(raw);
    // A first connection (no id) starts at "now": the page loads the current state itself.
    if (after < 0) return this.round([{ id: this.latestId(), event: 'hello', data: { latest: this.latestId() } }]);
    // A client that fell further behind than KEEP events, or remembers ids from before a
    // restart of the server, must reload everything.
    const oldest = this.events[0]?.id ?? this.nextId;
    if (after < oldest - 1 || after > this.latestId()) return this.round([{ id: this.latestId(), event: 'reset', data: {} }]);
    let pending = this.since(after);
    if (pending.length === 0) {
      await this.waitForNews(req);
      await new Promise((r) => setTimeout(r, BATCH_MS).unref());
      pending = this.since(after);
    }
    return this.round(pending);
  }

  private waitForNews(req: IncomingMessage): Promise<void> {
    // The socket, not req: a request's own 'close' fires as soon as its (empty) body is read.
    const socket = req.socket;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        socket.off('close', done);
        resolve();
      };
      // unref: a waiting browser must not keep a stopping process alive.
      const timer = setTimeout(done, HOLD_MS).unref();
      this.waiters.add(done);
      socket.on('close', done);
    });
  }

  private round(events: HubEvent[]): RouteResult {
    let body = `retry: ${RETRY_MS}\n\n`;
    if (events.length === 0) body += ': nothing new\n\n';
    for (const e of events) body += `id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
    return { contentType: 'text/event-stream; charset=utf-8', body };
  }
}
