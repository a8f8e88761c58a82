// The connected proxies (one row per stream, with each type's sync state) and the NACKs.
import { h, linkButton, replace, stateBadge, time } from './dom.js';

const TYPES = ['lds', 'rds', 'cds', 'eds'];

export function renderProxies(el, proxies, selected, onSelect) {
  if (proxies.length === 0) return replace(el, h('p.empty', {}, 'No proxy is connected.'));
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Proxy (node id)'), h('th', { scope: 'col' }, 'Kind'),
    ...TYPES.map((t) => h('th', { scope: 'col' }, t.toUpperCase())), h('th', { scope: 'col' }, 'Versions kept'), h('th', { scope: 'col' }, 'Peer'));
  const rows = proxies.map((p) => {
    const byType = new Map(p.types.map((t) => [t.type, t]));
    return h(`tr${p.conn === selected ? '.selected' : ''}`, { dataset: { conn: p.conn, proxy: p.proxy } },
      h('td', {}, linkButton(p.proxy, () => onSelect(p.conn), { 'aria-pressed': String(p.conn === selected), class: 'link mono proxy-link' })),
      h('td', {}, p.kind),
      ...TYPES.map((t) => {
        const ty = byType.get(t);
        if (!ty) return h('td', { class: 'muted' }, '—');
        const title = `sent ${ty.versionSent ?? '—'} (nonce ${ty.nonceSent ?? '—'}), acked ${ty.versionAcked ?? '—'} (nonce ${ty.nonceAcked ?? '—'})`;
        return h('td', { title, dataset: { type: t, state: ty.state } }, stateBadge(ty.state));
      }),
      h('td', {}, String(p.versions.length)),
      h('td', { class: 'mono' }, p.peer),
    );
  });
  replace(el, h('table', { id: 'proxy-table' }, h('caption', { class: 'hint' }, 'Choose a proxy to browse its resources and diff its versions.'),
    h('thead', {}, head), h('tbody', {}, rows)));
}

export function renderNacks(el, nacks) {
  if (nacks.length === 0) return replace(el, h('p.empty', {}, 'No proxy has rejected anything.'));
  replace(el, h('ul', { class: 'plain', style: 'list-style:none;padding:0;margin:0' }, nacks.slice(0, 20).map((n) =>
    h('li.nack', { role: 'alert', dataset: { nonce: n.nonce } },
      h('strong', {}, `NACK ${n.type.toUpperCase()}`), ` from `, h('span.mono', {}, n.proxy),
      ` at ${time(n.time)} — nonce `, h('span.mono', {}, n.nonce), `, still running version `, h('span.mono', {}, n.version || '(none)'),
      h('span.message.mono', {}, n.message)))));
}
