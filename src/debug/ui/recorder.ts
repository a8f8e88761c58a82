// Follows the running control plane for the UI: observes the xDS server's events,
// subscribes to the config store, polls the push controller, and keeps the UI's bounded
// state (push timeline, per-proxy config history), announcing every change on the hub.
// It only wraps: nothing in src/xds, src/push or src/model knows the UI exists.
import type { ConfigStore } from '../../model/store.js';
import type { PushContext } from '../../push/push-context.js';
import type { PushStatus } from '../../push/push-controller.js';
import { SHORT_TYPE } from '../../translate/api.js';
import type { XdsTypeUrl } from '../../translate/api.js';
import type { XdsEvent, XdsObserver } from '../../xds/observer.js';
import { ConfigHistory } from './config-history.js';
import type { EventHub } from './event-hub.js';
import { PushTimeline } from './push-timeline.js';

/** The parts of the control plane the UI reads (XdsServer, PushController, the store). */
export interface UiSources {
  xds: { observe(o: XdsObserver): () => void };
  controller: { lastPush(): PushStatus | undefined; current(): PushContext | undefined };
  store: Pick<ConfigStore, 'subscribe'>;
}

/** lastPush() has no event of its own: it is also polled this often, for pushes that reach no proxy. */
const POLL_MS = 250;

export class UiRecorder {
  readonly timeline = new PushTimeline();
  readonly history = new ConfigHistory();
  /** conn → proxy kind (sidecar, router, grpc), from its connect event. */
  readonly kinds = new Map<string, string>();
  private readonly stops: (() => void)[] = [];
  /** Connections that made a request in the current tick: their sends answer it. */
  private readonly answering = new Set<string>();

  constructor(
    private readonly src: UiSources,
    private readonly hub: EventHub,
  ) {
    this.stops.push(src.xds.observe((e) => this.onXds(e)));
    this.stops.push(
      src.store.subscribe((events) => {
        this.timeline.configEvents(events, new Date());
        this.hub.publish('config', { events: events.map((e) => `${e.type} ${e.kind} ${e.namespace}/${e.name}`) });
      }),
    );
    const timer = setInterval(() => this.poll(), POLL_MS);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
    this.poll();
  }

  close(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private poll(): void {
    const s = this.src.controller.lastPush();
    if (this.timeline.status(s) && s) this.hub.publish('push', { version: s.version, kind: s.kind, events: s.events });
  }

  private onXds(e: XdsEvent): void {
    // Whatever happens, a push that finished since the last event is recorded first.
    this.poll();
    switch (e.kind) {
      case 'connect': {
        this.kinds.set(e.conn, e.proxyKind);
        // The node as the server parsed it: labels and metadata included, so the versions
        // the UI regenerates are exactly what this proxy was sent.
        this.history.connect(e.conn, e.node);
        this.hub.publish('connect', { conn: e.conn, proxy: e.proxy, kind: e.proxyKind });
        return;
      }
      case 'disconnect':
        this.kinds.delete(e.conn);
        this.history.disconnect(e.conn);
        this.hub.publish('disconnect', { conn: e.conn, proxy: e.proxy, reason: e.reason });
        return;
      case 'request':
        this.history.request(e.conn, e.typeUrl, e.names);
        // The server answers a request synchronously, so sends in this tick are the answer.
        if (this.answering.size === 0) queueMicrotask(() => this.answering.clear());
        this.answering.add(e.conn);
        return;
      case 'send': {
        const cause = this.answering.has(e.conn) ? 'request' : 'push';
        this.timeline.sent(e, cause);
        this.history.sent(e.conn, e.typeUrl, e.version, this.src.controller.current(), e.time);
        this.hub.publish('send', { conn: e.conn, proxy: e.proxy, type: short(e.typeUrl), version: e.version, bytes: e.bytes, cause });
        return;
      }
      case 'ack': {
        this.timeline.answered(e.conn, e.nonce, e.time);
        this.hub.publish('ack', { conn: e.conn, proxy: e.proxy, type: short(e.typeUrl), nonce: e.nonce, version: e.version });
        return;
      }
      case 'nack':
        this.timeline.answered(e.conn, e.nonce, e.time, e.message);
        this.hub.publish('nack', { conn: e.conn, proxy: e.proxy, type: short(e.typeUrl), nonce: e.nonce, version: e.version, message: e.message });
        return;
    }
  }
}

function short(typeUrl: string): string {
  return SHORT_TYPE[typeUrl as XdsTypeUrl] ?? typeUrl;
}
