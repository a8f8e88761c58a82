// Puts the web UI on the debug HTTP server: the page and its static files under /ui, the
// JSON it reads under /ui/api/, and the live event stream at /ui/events.
import type { DebugHttpServer } from '../http-server.js';
import type { ConnectionSnapshot } from '../../xds/connection.js';
import type { NackEvent } from '../../xds/xds-server.js';
import { configHandler, diffHandler, stateHandler } from './api.js';
import { EventHub } from './event-hub.js';
import { UiRecorder } from './recorder.js';
import type { UiSources } from './recorder.js';
import { findStaticDir, listStaticFiles, serveStatic } from './static-files.js';

export interface UiOptions extends UiSources {
  xds: UiSources['xds'] & { connections(): ConnectionSnapshot[]; nackHistory(): NackEvent[] };
}

export interface Ui {
  /** Stops following the control plane (the routes stay, answering from what was kept). */
  close(): void;
}

export function registerUi(http: Pick<DebugHttpServer, 'route'>, opts: UiOptions): Ui {
  const hub = new EventHub();
  const recorder = new UiRecorder(opts, hub);
  const api = { xds: opts.xds, recorder, latestEventId: () => hub.latestId() };

  const dir = findStaticDir();
  const index = () => serveStatic(dir, 'index.html');
  http.route('/ui', index).route('/ui/', index);
  for (const rel of listStaticFiles(dir)) http.route(`/ui/${rel}`, () => serveStatic(dir, rel));

  http.route('/ui/api/state', stateHandler(api));
  http.route('/ui/api/config', configHandler(api));
  http.route('/ui/api/diff', diffHandler(api));
  http.route('/ui/events', (url, req) => hub.handle(url, req));
  return { close: () => recorder.close() };
}
