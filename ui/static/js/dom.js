/* global document, Node */
// A tiny element builder: h('tag.class', {attrs}, ...children). Text is always set as
// text, never as HTML, so names and NACK messages from proxies cannot inject markup.
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A button styled as a link (a real button: keyboard and screen readers know it). */
export function linkButton(text, onclick, attrs = {}) {
  return h('button.link', { type: 'button', onclick, ...attrs }, text);
}

export function stateBadge(state) {
  return h(`span.state.${String(state).replace(/ /g, '-')}`, {}, state);
}

export function replace(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
}

export function ms(n) {
  if (n === undefined || n === null) return '—';
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
}

export function bytes(n) {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}
