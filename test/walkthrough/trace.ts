// The walkthrough trace's shape and its normalization: nonces and versions carry stream
// ids and build times, so they are replaced by stable names (nonce-1, <time>/1) before
// the trace is written to, or compared with, docs/walkthrough-trace.yaml.
import { decodeResource } from '../../src/envoy/codec.js';
import type { RawResponse, RequestInput } from '../support/raw-xds-client.js';

const SHORT: Record<string, string> = {
  'type.googleapis.com/envoy.config.cluster.v3.Cluster': 'CDS',
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment': 'EDS',
  'type.googleapis.com/envoy.config.listener.v3.Listener': 'LDS',
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': 'RDS',
};

export interface TraceEntry {
  step: number;
  from: 'proxy' | 'mini-istiod' | 'test';
  what: string;
  message?: Record<string, unknown>;
}

/** Drops the noisiest fields (retry policies repeat on every route) to keep the doc readable. */
function trim(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(trim);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'retryPolicy').map(([k, x]) => [k, trim(x)]));
}

export class TraceRecorder {
  readonly entries: TraceEntry[] = [];
  private readonly nonces = new Map<string, string>();

  /** `focus` picks the one resource shown in full (the others are listed by name). */
  response(what: string, r: RawResponse, focus?: string, pick?: (body: Record<string, unknown>) => Record<string, unknown>): void {
    const nonce = `nonce-${this.nonces.size + 1}`;
    this.nonces.set(r.nonce, nonce);
    const i = focus === undefined ? -1 : r.names.indexOf(focus);
    const body = i >= 0 ? decodeResource(r.typeUrl, r.resources[i]!.value) : undefined;
    this.add('mini-istiod', `${SHORT[r.typeUrl] ?? r.typeUrl} response: ${what}`, {
      versionInfo: normVersion(r.versionInfo),
      typeUrl: r.typeUrl,
      nonce,
      resources: r.names,
      ...(body ? { [`resource ${focus}`]: trim(pick ? pick(body) : body) } : {}),
    });
  }

  request(what: string, req: RequestInput): void {
    const msg: Record<string, unknown> = {};
    if (req.node) msg['node'] = req.node;
    msg['typeUrl'] = req.typeUrl ?? '';
    msg['versionInfo'] = normVersion(req.versionInfo ?? '');
    msg['resourceNames'] = req.resourceNames ?? [];
    msg['responseNonce'] = req.responseNonce ? (this.nonces.get(req.responseNonce) ?? '<unknown>') : '';
    if (req.errorDetail) msg['errorDetail'] = req.errorDetail;
    this.add('proxy', `${SHORT[req.typeUrl ?? ''] ?? '?'} ${what}`, msg);
  }

  note(what: string): void {
    this.add('test', what);
  }

  private add(from: TraceEntry['from'], what: string, message?: Record<string, unknown>): void {
    this.entries.push({ step: this.entries.length + 1, from, what, ...(message ? { message } : {}) });
  }
}

/** `2026-11-22T02:40:43Z/3` → `<time>/3`: the counter stays, it is what orders versions. */
export function normVersion(v: string): string {
  return v.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\//, '<time>/');
}
