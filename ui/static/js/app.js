/* global document, fetch, EventSource */
// The page: loads /ui/api/state, renders it, and refreshes whenever /ui/events says
// something happened (server-sent events; EventSource reconnects by itself).
import { renderNacks, renderProxies } from './proxies.js';
import { renderTimeline } from './timeline.js';
import { ResourceBrowser } from './browser.js';
import { DiffView } from './diff.js';

const state = { selected: undefined, overview: undefined };
const browser = new ResourceBrowser(document.getElementById('resources'));
const diff = new DiffView(document.getElementById('diff'));

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${path}: HTTP ${res.status}`);
  return body;
}

function select(conn) {
  state.selected = conn;
  render();
  void loadSelected(true);
}

function render() {
  const o = state.overview;
  if (!o) return;
  renderProxies(document.getElementById('proxies'), o.proxies, state.selected, select);
  renderNacks(document.getElementById('nacks'), o.nacks);
  renderTimeline(document.getElementById('timeline'), o.pushes);
  const proxy = o.proxies.find((p) => p.conn === state.selected);
  const section = document.getElementById('proxy-section');
  section.hidden = !proxy;
  if (proxy) document.getElementById('proxy-h').textContent = `Proxy ${proxy.proxy}`;
}

/** Reloads the selected proxy's resources when its latest version changed (or when asked). */
async function loadSelected(force) {
  const proxy = state.overview?.proxies.find((p) => p.conn === state.selected);
  if (!proxy) return;
  const latest = proxy.versions.at(-1)?.version;
  if (!latest) return browser.empty('Nothing has been sent to this proxy yet.');
  if (!force && browser.version === latest && browser.conn === proxy.conn) return;
  const config = await getJson(`/ui/api/config?conn=${encodeURIComponent(proxy.conn)}`);
  browser.show(config);
  diff.setVersions(proxy.conn, proxy.versions);
}

let refreshing = false;
let again = false;
/** One refresh at a time; events during one cause exactly one more. */
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    state.overview = await getJson('/ui/api/state');
    if (state.selected && !state.overview.proxies.some((p) => p.conn === state.selected)) state.selected = undefined;
    render();
    await loadSelected(false);
  } catch (err) {
    console.error('refresh failed', err);
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

let timer;
function soon() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 50);
}

function listen() {
  const live = document.getElementById('live');
  const events = new EventSource('/ui/events');
  let offTimer;
  const on = () => {
    clearTimeout(offTimer);
    live.className = 'live on';
    live.textContent = 'live';
  };
  events.onopen = on;
  // The server answers in rounds, so the stream "errors" and reconnects between them: only
  // say it is down when it has not come back for a while.
  events.onerror = () => {
    clearTimeout(offTimer);
    offTimer = setTimeout(() => {
      if (events.readyState !== EventSource.OPEN) {
        live.className = 'live off';
        live.textContent = 'disconnected: retrying';
      }
    }, 3000);
  };
  for (const name of ['hello', 'reset', 'connect', 'disconnect', 'push', 'send', 'ack', 'nack', 'config']) {
    events.addEventListener(name, soon);
  }
}

function tabs() {
  const pairs = [['tab-resources', 'resources'], ['tab-diff', 'diff']];
  for (const [tabId, panelId] of pairs) {
    document.getElementById(tabId).addEventListener('click', () => {
      for (const [t, p] of pairs) {
        document.getElementById(t).setAttribute('aria-selected', String(t === tabId));
        document.getElementById(p).hidden = p !== panelId;
      }
    });
  }
}

tabs();
listen();
void refresh();
