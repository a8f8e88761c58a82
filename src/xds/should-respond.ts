// Istio's shouldRespond decision table for SotW requests, as a pure function: given what
// the stream knows about one type and the incoming request, say whether to answer and
// what the subscription becomes. The caller applies the result (records ACK/NACK, stores
// the subscription); nothing here has side effects, so the table is unit-tested directly.
import { TypeUrl } from '../translate/api.js';
import { intern } from './intern.js';

/** What a client watches for one type. */
export interface Subscription {
  /** Legacy wildcard (empty first request) or an explicit "*". */
  wildcard: boolean;
  /** Explicitly named resources ("*" excluded). */
  names: ReadonlySet<string>;
  /** Wildcard only because the first request named nothing; ends once a name is given. */
  legacyWildcard: boolean;
}

export interface WatchView {
  subscription: Subscription;
  /** Nonce of the last response sent for the type; undefined when none was sent yet. */
  nonceSent: string | undefined;
}

export interface RequestView {
  typeUrl: string;
  resourceNames: readonly string[];
  responseNonce: string;
  errorDetail?: { message: string } | undefined;
}

export type RequestKind =
  /** First request for the type on this stream (no nonce). */
  | 'initial'
  /** Carries a nonce we do not know, and we hold no state: a client that reconnected. */
  | 'reconnect'
  | 'ack'
  | 'nack'
  /** Answers a response that is no longer the latest one: ignored. */
  | 'stale'
  | 'subscription-changed';

export interface Decision {
  respond: boolean;
  kind: RequestKind;
  /** The subscription after the request (unchanged for stale, and for a NACK of an older response). */
  subscription: Subscription;
  /** Names newly requested: to be sent even if sent before. */
  added: string[];
  removed: string[];
}

/** LDS and CDS: the client always gets the complete set (Istio's IsWildcardTypeURL). */
export function isWildcardType(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.Cluster;
}

/** Does `resourceNames` say exactly what `prev` says? (Every SotW ACK repeats the names.) */
function sameAs(prev: Subscription, resourceNames: readonly string[]): boolean {
  if (prev.legacyWildcard) return false;
  let star = false;
  let named = 0;
  for (const n of resourceNames) {
    if (n === '*') star = true;
    else if (prev.names.has(n)) named += 1;
    else return false;
  }
  // A repeated name counts twice and fails the size test: the slow path handles it.
  return star === prev.wildcard && named === prev.names.size;
}

// Subscriptions are immutable, and proxies of one scope name the same resources (every
// all-seeing sidecar asks EDS for the same thousand clusters): one shared object per
// distinct request saves a thousand-entry set per stream, and lets the resource cache
// answer them all with one list (ResourceCache.getNamed). Keyed by the names as sent; the
// pool starts over past a bound on the characters its keys hold.
const POOL_CHARS = 4_000_000;
let pool = new Map<string, Subscription>();
let poolChars = 0;

function namedSubscription(resourceNames: readonly string[]): Subscription {
  // A name holding "\n" could make two different lists share a key; the only client that
  // could be handed the other list is the one that sent such names.
  const key = resourceNames.join('\n');
  const known = pool.get(key);
  if (known) return known;
  const names = new Set(resourceNames.filter((n) => n !== '*').map(intern));
  const sub: Subscription = { wildcard: resourceNames.includes('*'), names, legacyWildcard: false };
  if (poolChars + key.length > POOL_CHARS) {
    pool = new Map();
    poolChars = 0;
  }
  pool.set(key, sub);
  poolChars += key.length;
  return sub;
}

/** Subscription from a request's resource_names, given the previous one (undefined on first). */
export function nextSubscription(prev: Subscription | undefined, resourceNames: readonly string[]): Subscription {
  // An ACK of a thousand EDS names should not build a thousand-name set to compare.
  if (prev !== undefined && resourceNames.length > 0 && sameAs(prev, resourceNames)) return prev;
  if (resourceNames.length === 0) {
    // An empty first request is the legacy wildcard, which lasts while the client keeps
    // sending empty names; after a named request, empty names mean nothing.
    if (prev === undefined) return { wildcard: true, names: new Set(), legacyWildcard: true };
    if (prev.legacyWildcard) return prev;
    return { wildcard: false, names: new Set(), legacyWildcard: false };
  }
  return namedSubscription(resourceNames);
}

function diff(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const n of a) if (!b.has(n)) out.push(n);
  return out;
}

export function shouldRespond(prev: WatchView | undefined, req: RequestView): Decision {
  const keep = (kind: RequestKind): Decision => ({
    respond: false,
    kind,
    subscription: prev?.subscription ?? nextSubscription(undefined, req.resourceNames),
    added: [],
    removed: [],
  });
  // A NACK is recognised by error_detail alone (its version_info is the last accepted one).
  // The rejected config is never resent: that loops (go-control-plane #962). But a NACK of
  // the latest response is also the client's current subscription: names it adds must be
  // answered, or they are never sent (below, respond is true only for such changes).
  const nack = req.errorDetail !== undefined;
  if (nack && (prev === undefined || req.responseNonce !== prev.nonceSent)) return keep('nack');

  if (prev === undefined || req.responseNonce === '') {
    const subscription = nextSubscription(undefined, req.resourceNames);
    const kind = prev === undefined && req.responseNonce !== '' ? 'reconnect' : 'initial';
    return { respond: true, kind, subscription, added: [...subscription.names], removed: [] };
  }

  if (req.responseNonce !== prev.nonceSent) return keep('stale');

  const subscription = nextSubscription(prev.subscription, req.resourceNames);
  const added = diff(subscription.names, prev.subscription.names);
  const removed = diff(prev.subscription.names, subscription.names);
  const wildcardOn = subscription.wildcard && !prev.subscription.wildcard;
  const wildcardOff = !subscription.wildcard && prev.subscription.wildcard;
  if (added.length === 0 && removed.length === 0 && !wildcardOn && !wildcardOff) {
    return { respond: false, kind: nack ? 'nack' : 'ack', subscription: prev.subscription, added, removed };
  }
  // RDS/EDS: dropping names needs no answer (the client just stops using them); LDS/CDS
  // answers carry the complete set, so any change is answered. After a NACK only new names
  // need an answer: a removal leaves the client nothing to wait for.
  const grows = added.length > 0 || wildcardOn;
  const respond = nack ? grows : isWildcardType(req.typeUrl) || grows;
  return { respond, kind: nack ? 'nack' : 'subscription-changed', subscription, added, removed };
}
