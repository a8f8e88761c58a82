// Browse one proxy's resources by following references, as Envoy does:
// listener → route configuration (RDS) → virtual host → route → cluster (CDS) → endpoints (EDS).
// The trail of steps is kept as breadcrumbs; JSON is shown with references as buttons.
import { h, linkButton, replace } from './dom.js';

const TYPE_TITLES = { lds: 'Listeners', rds: 'Route configurations', cds: 'Clusters', eds: 'Endpoints (ClusterLoadAssignments)' };

/** The EDS name of a cluster: its eds_cluster_config.service_name, else its own name. */
function edsName(cluster) {
  return cluster.edsClusterConfig?.serviceName || cluster.name;
}

/** Clusters a route sends to: route.cluster or each weighted cluster. */
function routeClusters(route) {
  const a = route.route;
  if (!a) return [];
  if (a.cluster) return [{ name: a.cluster }];
  return (a.weightedClusters?.clusters ?? []).map((c) => ({ name: c.name, weight: c.weight }));
}

function matchText(m = {}) {
  const path = m.path !== undefined ? `path = ${m.path}` : m.prefix !== undefined ? `prefix ${m.prefix}` : m.safeRegex ? `regex ${m.safeRegex.regex}` : m.pathSeparatedPrefix ? `prefix ${m.pathSeparatedPrefix}` : 'any path';
  const headers = (m.headers ?? []).map((x) => `${x.invertMatch ? 'not ' : ''}header ${x.name}`);
  return [path, ...headers].join(', ');
}

export class ResourceBrowser {
  constructor(el) {
    this.el = el;
    this.conn = undefined;
    this.version = undefined;
    this.byType = new Map();
    this.trail = [];
  }

  empty(text) {
    this.conn = undefined;
    this.version = undefined;
    replace(this.el, h('p.empty', {}, text));
  }

  /** New config for the proxy: keep the trail while its steps still exist. */
  show(config) {
    const sameProxy = this.conn === config.conn;
    this.conn = config.conn;
    this.version = config.version;
    this.byType = new Map(['lds', 'rds', 'cds', 'eds'].map((t) => [t, new Map()]));
    for (const r of config.resources) this.byType.get(r.type)?.set(r.name, r.body);
    if (!sameProxy) this.trail = [];
    while (this.trail.length && !this.resolve(this.trail.at(-1))) this.trail.pop();
    this.render();
  }

  go(step) {
    this.trail.push(step);
    this.render();
    this.el.querySelector('h3')?.focus();
  }

  /** A step's data: [title, body], or undefined when it no longer exists. */
  resolve(step) {
    const get = (t, n) => this.byType.get(t)?.get(n);
    switch (step.kind) {
      case 'listener': case 'routeConfig': case 'cluster': case 'endpoints': {
        const type = { listener: 'lds', routeConfig: 'rds', cluster: 'cds', endpoints: 'eds' }[step.kind];
        const body = get(type, step.name);
        return body && { body };
      }
      case 'vhost': {
        const vh = get('rds', step.routeConfig)?.virtualHosts?.[step.index];
        return vh && { body: vh };
      }
      case 'route': {
        const r = get('rds', step.routeConfig)?.virtualHosts?.[step.vhost]?.routes?.[step.index];
        return r && { body: r };
      }
    }
    return undefined;
  }

  render() {
    const crumbs = h('ol.crumbs', { 'aria-label': 'Trail' },
      h('li', {}, linkButton(`all resources @ ${this.version}`, () => { this.trail = []; this.render(); })),
      this.trail.map((s, i) => h('li', {}, i === this.trail.length - 1
        ? h('span', { 'aria-current': 'page' }, label(s))
        : linkButton(label(s), () => { this.trail = this.trail.slice(0, i + 1); this.render(); }))));
    const step = this.trail.at(-1);
    replace(this.el, h('nav', { 'aria-label': 'Resource trail' }, crumbs), step ? this.detail(step) : this.overview());
  }

  overview() {
    return h('div.typecols', {}, [...this.byType].map(([type, items]) => h('div', { dataset: { type } },
      h('h3', { tabindex: '-1' }, `${TYPE_TITLES[type]} (${items.size})`),
      items.size === 0 ? h('p.empty', {}, 'none') : h('ul', {}, [...items.keys()].map((name) => h('li', {},
        linkButton(name, () => this.go({ kind: { lds: 'listener', rds: 'routeConfig', cds: 'cluster', eds: 'endpoints' }[type], name }), { class: 'link mono' })))))));
  }

  detail(step) {
    const found = this.resolve(step);
    if (!found) return h('p.empty', {}, 'This resource is gone in the latest version.');
    const body = found.body;
    const parts = [h('h3', { tabindex: '-1', id: 'resource-title' }, label(step))];
    if (step.kind === 'routeConfig') {
      parts.push(h('p.hint', {}, 'Virtual hosts, in the order Envoy matches them by Host:'),
        h('ul', { id: 'vhosts' }, (body.virtualHosts ?? []).map((vh, index) => h('li', {},
          linkButton(vh.name, () => this.go({ kind: 'vhost', routeConfig: step.name, index, name: vh.name }), { class: 'link mono' }),
          h('span.hint', {}, ` domains: ${(vh.domains ?? []).join(', ')}`)))));
    } else if (step.kind === 'vhost') {
      parts.push(h('p.hint', {}, 'Routes, first match wins:'),
        h('ol', { id: 'routes' }, (body.routes ?? []).map((r, index) => h('li', {},
          linkButton(r.name || `route ${index}`, () => this.go({ kind: 'route', routeConfig: step.routeConfig, vhost: step.index, index, name: r.name || `route ${index}` }), { class: 'link mono' }),
          h('span.hint', {}, ` ${matchText(r.match)} → `), this.clusterLinks(r)))));
    } else if (step.kind === 'route') {
      parts.push(h('p', {}, h('span.hint', {}, `match: ${matchText(body.match)} → `), this.clusterLinks(body)));
      if (body.typedPerFilterConfig?.['envoy.filters.http.fault']) parts.push(h('p', { class: 'state STALE' }, 'fault injection on this route'));
    } else if (step.kind === 'cluster') {
      const eds = body.type === 'EDS' || body.edsClusterConfig;
      parts.push(h('p', {}, `type ${body.type ?? '(default)'}, load balancer ${body.lbPolicy ?? 'ROUND_ROBIN'}`),
        eds ? h('p', {}, linkButton(`endpoints: ${edsName(body)}`, () => this.go({ kind: 'endpoints', name: edsName(body) }), { id: 'endpoints-link' })) : null);
    } else if (step.kind === 'endpoints') {
      parts.push(this.endpointTable(body));
    }
    parts.push(h('details', { open: step.kind === 'listener' }, h('summary', {}, 'JSON (references are links)'), h('pre.json', {}, this.json(body, ''))));
    return h('div', { id: 'resource-detail', dataset: { kind: step.kind, name: step.name } }, parts);
  }

  clusterLinks(route) {
    const cs = routeClusters(route);
    if (cs.length === 0) return h('span.hint', {}, route.redirect ? 'redirect' : route.directResponse ? `direct response ${route.directResponse.status}` : 'no cluster');
    return h('span', {}, cs.map((c, i) => h('span', {}, i > 0 ? ', ' : '',
      linkButton(c.name, () => this.go({ kind: 'cluster', name: c.name }), { class: 'link mono cluster-link' }),
      c.weight !== undefined ? ` (weight ${c.weight})` : '')));
  }

  endpointTable(cla) {
    const rows = [];
    for (const group of cla.endpoints ?? []) {
      for (const lb of group.lbEndpoints ?? []) {
        const a = lb.endpoint?.address?.socketAddress ?? {};
        rows.push(h('tr', {}, h('td.mono', {}, `${a.address}:${a.portValue}`), h('td', {}, lb.healthStatus ?? 'UNKNOWN'),
          h('td', {}, String(lb.loadBalancingWeight ?? 1)), h('td.mono', {}, JSON.stringify(group.locality ?? {}))));
      }
    }
    if (rows.length === 0) return h('p.empty', {}, 'No endpoints.');
    return h('table', { id: 'endpoint-table' }, h('thead', {}, h('tr', {}, ...['Address', 'Health', 'Weight', 'Locality'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows));
  }

  /** Pretty JSON where names of other resources are buttons that go there. */
  json(value, indent, key) {
    const next = `${indent}  `;
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      return ['[\n', ...value.flatMap((v, i) => [next, this.json(v, next, key), i < value.length - 1 ? ',\n' : '\n']), `${indent}]`];
    }
    if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 0) return '{}';
      return ['{\n', ...entries.flatMap(([k, v], i) => [`${next}"${k}": `, this.json(v, next, k), i < entries.length - 1 ? ',\n' : '\n']), `${indent}}`];
    }
    const text = JSON.stringify(value);
    const ref = typeof value === 'string' && this.reference(key, value);
    return ref ? linkButton(text, () => this.go(ref), { class: 'link mono' }) : text;
  }

  reference(key, value) {
    if (key === 'routeConfigName' && this.byType.get('rds').has(value)) return { kind: 'routeConfig', name: value };
    if ((key === 'cluster' || key === 'name') && this.byType.get('cds').has(value)) return { kind: 'cluster', name: value };
    if ((key === 'serviceName' || key === 'clusterName') && this.byType.get('eds').has(value)) return { kind: 'endpoints', name: value };
    return undefined;
  }
}

function label(step) {
  const kind = { listener: 'listener', routeConfig: 'route config', vhost: 'virtual host', route: 'route', cluster: 'cluster', endpoints: 'endpoints' }[step.kind];
  return `${kind} ${step.name}`;
}
