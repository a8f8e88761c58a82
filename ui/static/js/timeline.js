// The push timeline: one entry per PushContext version, newest first.
import { bytes, h, ms, replace, stateBadge, time } from './dom.js';

function trigger(p) {
  if (p.initial) return 'initial load';
  if (p.triggers.length === 0) return p.kind ? 'no config event recorded' : 'answered on request';
  return p.triggers.map((t) => `${t.type} ${t.kind} ${t.namespace}/${t.name}`).join(', ');
}

function summary(p) {
  const proxies = new Set(p.sends.map((s) => s.proxy));
  const types = [...new Set(p.sends.map((s) => s.type.toUpperCase()))].join(' ');
  return p.sends.length === 0 ? 'sent to no proxy' : `${p.sends.length} ${p.sends.length === 1 ? 'response' : 'responses'} (${types}) to ${proxies.size} ${proxies.size === 1 ? 'proxy' : 'proxies'}, ${bytes(p.bytes)}`;
}

export function renderTimeline(el, pushes) {
  if (pushes.length === 0) return replace(el, h('li.empty', {}, 'No push yet.'));
  replace(el, pushes.map((p) => h(`li${p.nacks ? '.has-nack' : ''}`, { dataset: { version: p.version } },
    h('div.head', {},
      h('strong.mono', {}, p.version),
      h('span', {}, p.kind ? `${p.kind === 'eds' ? 'EDS-only' : 'full'} push` : 'responses'),
      p.triggeredAt && h('span', {}, time(p.triggeredAt)),
      p.nacks ? stateBadge('NACK') : p.convergedMs !== undefined ? h('span', {}, 'converged in ', h('strong', {}, ms(p.convergedMs))) : null),
    h('div', { class: 'trigger' }, h('span.hint', {}, 'triggered by: '), h('span.mono', {}, trigger(p))),
    p.changedHosts && h('div', {}, h('span.hint', {}, 'endpoints changed for: '), h('span.mono', {}, p.changedHosts.join(', '))),
    h('div', {}, h('span.hint', {}, 'waited (debounce + build): '), ms(p.waitedMs), h('span.hint', {}, ' · push took: '), ms(p.durationMs),
      h('span.hint', {}, ' · '), summary(p)),
    p.sends.length > 0 && h('details', {},
      h('summary', {}, 'responses'),
      h('table.sends', {},
        h('thead', {}, h('tr', {}, ...['Proxy', 'Type', 'Why', 'Resources', 'Bytes', 'Answer', 'After'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, p.sends.map((s) => h('tr', {},
          h('td.mono', {}, s.proxy), h('td', {}, s.type.toUpperCase()), h('td', {}, s.cause), h('td', {}, String(s.names)),
          h('td', {}, bytes(s.bytes)), h('td', {}, stateBadge(s.status), s.message ? h('div.mono', { style: 'color:var(--bad)' }, s.message) : null),
          h('td', {}, ms(s.answeredMs))))))),
  )));
}
