/* global fetch, URLSearchParams */
// The line diff of one proxy's config (as YAML) between two kept versions.
import { h, replace } from './dom.js';

export class DiffView {
  constructor(el) {
    this.el = el;
    this.conn = undefined;
    this.versions = [];
  }

  setVersions(conn, versions) {
    const same = conn === this.conn && versions.length === this.versions.length && versions.every((v, i) => v.version === this.versions[i].version);
    if (same) return;
    this.conn = conn;
    this.versions = versions;
    this.render();
  }

  render() {
    if (this.versions.length < 2) {
      return replace(this.el, h('p.empty', {}, 'Only one version has been sent to this proxy so far: change a config file to get another.'));
    }
    const select = (id, labelText, selectedIndex) => h('label', {}, labelText,
      h('select', { id }, this.versions.map((v, i) => h('option', { value: v.version, selected: i === selectedIndex }, v.version))));
    const from = select('diff-from', 'from version', this.versions.length - 2);
    const to = select('diff-to', 'to version', this.versions.length - 1);
    const out = h('div', { id: 'diff-output', 'aria-live': 'polite' });
    const run = () => void this.load(from.querySelector('select').value, to.querySelector('select').value, out);
    from.addEventListener('change', run);
    to.addEventListener('change', run);
    replace(this.el, h('div.controls', {}, from, to), out);
    run();
  }

  async load(fromVersion, toVersion, out) {
    const q = new URLSearchParams({ conn: this.conn, from: fromVersion, to: toVersion });
    const res = await fetch(`/ui/api/diff?${q}`, { cache: 'no-store' });
    const d = await res.json();
    if (!res.ok) return replace(out, h('p.empty', {}, d.error));
    if (d.hunks.length === 0) return replace(out, h('p.empty', {}, 'No difference.'));
    replace(out, h('p', {}, `${plural(d.added, 'line')} added, ${d.removed} removed`),
      h('div.diff.mono', { role: 'region', 'aria-label': `diff from ${fromVersion} to ${toVersion}` }, d.hunks.map((hunk) => [
        h('div.hunk', {}, `@@ -${hunk.oldStart} +${hunk.newStart} @@ ${hunk.resource}`),
        ...hunk.lines.map((l) => h(`div.line${l.op === '+' ? '.add' : l.op === '-' ? '.del' : ''}`, {},
          l.op === '+' ? h('span', { class: 'sr-only' }, 'added: ') : l.op === '-' ? h('span', { class: 'sr-only' }, 'removed: ') : null,
          `${l.op} ${l.text}`)),
      ])));
  }
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
