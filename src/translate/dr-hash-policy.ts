// The route side of consistent hashing: a RING_HASH or MAGLEV cluster only keeps a key on
// one host if the route says what to hash. Istio derives RouteAction.hashPolicy from the
// destination's DestinationRule (route.go, consistentHashToHashPolicy); the route builder
// calls hashPolicyFor() with the cluster it routes to.
//   httpHeaderName → header, httpCookie → cookie (name, path, ttl, attributes),
//   useSourceIp → connectionProperties.sourceIp, httpQueryParameterName → queryParameter.
// Proxyless gRPC hashes only on a header or on its channel (filterState io.grpc.channel_id,
// what Istio's gRPC generator uses for useSourceIp); cookies and query parameters do not
// exist there, so those give no hash policy (gRPC then picks a random hash per call).
// A gRPC client that gets ROUND_ROBIN instead of RING_HASH (C-core < 1.52, see
// grpc-client-features.ts) gets no hash policy either: nothing would read it.
import type { ConsistentHashLB } from '../model/istio-types.js';
import type { PushContext } from '../push/push-context.js';
import { newContext } from './context.js';
import type { TranslateContext } from './context.js';
import { clusterPolicy, findSubset } from './destination-rule.js';
import { toProtoDuration } from './duration.js';
import { needsRingHashFallback } from './grpc-client-features.js';
import { parseClusterName } from './names.js';
import type { Proxy } from './proxy.js';

/** gRPC's per-channel hash key (gRFC A42). */
export const GRPC_CHANNEL_ID = 'io.grpc.channel_id';

export interface CookieHash {
  name: string;
  path?: string;
  ttl?: string;
  attributes?: { name: string; value?: string }[];
}

/** envoy.config.route.v3.RouteAction.HashPolicy, proto3 JSON. */
export type HashPolicy =
  | { header: { headerName: string } }
  | { cookie: CookieHash }
  | { connectionProperties: { sourceIp: true } }
  | { queryParameter: { name: string } }
  | { filterState: { key: string } };

function cookie(c: NonNullable<ConsistentHashLB['httpCookie']>): CookieHash {
  const out: CookieHash = { name: c.name };
  if (c.path) out.path = c.path;
  const ttl = c.ttl !== undefined ? toProtoDuration(c.ttl) : undefined;
  if (ttl) out.ttl = ttl;
  if (c.attributes && c.attributes.length > 0) out.attributes = c.attributes.map((a) => (a.value !== undefined ? { name: a.name, value: a.value } : { name: a.name }));
  return out;
}

export function hashPolicyFromConsistentHash(ch: ConsistentHashLB, grpc: boolean): HashPolicy[] {
  if (ch.httpHeaderName) return [{ header: { headerName: ch.httpHeaderName } }];
  if (ch.useSourceIp) return grpc ? [{ filterState: { key: GRPC_CHANNEL_ID } }] : [{ connectionProperties: { sourceIp: true } }];
  if (grpc) return [];
  if (ch.httpCookie) return [{ cookie: cookie(ch.httpCookie) }];
  if (ch.httpQueryParameterName) return [{ queryParameter: { name: ch.httpQueryParameterName } }];
  return [];
}

// Routes ask once per route (a thousand times per route configuration): the context (the
// Sidecar choice and scope lookup) is the same for every route of one proxy and push.
const contexts = new WeakMap<PushContext, WeakMap<Proxy, TranslateContext>>();

function contextFor(push: PushContext, proxy: Proxy): TranslateContext {
  let perPush = contexts.get(push);
  if (!perPush) {
    perPush = new WeakMap();
    contexts.set(push, perPush);
  }
  let ctx = perPush.get(proxy);
  if (!ctx) {
    ctx = newContext(push, proxy);
    perPush.set(proxy, ctx);
  }
  return ctx;
}

/**
 * RouteAction.hashPolicy for a route to `clusterName` (`outbound|PORT|SUBSET|HOST`) as seen
 * by `proxy`; [] when the cluster does not hash (leave hashPolicy unset then).
 */
export function hashPolicyFor(push: PushContext, proxy: Proxy, clusterName: string): HashPolicy[] {
  const parsed = parseClusterName(clusterName);
  if (!parsed || needsRingHashFallback(proxy)) return [];
  const ctx = contextFor(push, proxy);
  const subset = parsed.subset !== '' ? findSubset(ctx, parsed.host, parsed.subset) : undefined;
  if (parsed.subset !== '' && !subset) return [];
  const ch = clusterPolicy(ctx, parsed.host, parsed.port, subset)?.loadBalancer?.consistentHash;
  return ch ? hashPolicyFromConsistentHash(ch, proxy.kind === 'grpc') : [];
}
