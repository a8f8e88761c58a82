// Encode once, share bytes: per PushContext version, resources are generated and encoded
// once per (type, generator scope key) and the same Buffer objects go to every proxy with
// that key. With thousands of sidecars that share a scope, a push costs one encode, not one
// per proxy. Each resource carries a short hash of its bytes, which is what streams compare
// to decide whether anything changed for them (and, later, the delta resource version).
import { createHash } from 'node:crypto';
import type { EnvoyJson, Generator, XdsTypeUrl } from '../translate/api.js';
import { TypeUrl } from '../translate/api.js';
import type { PushContext } from '../push/push-context.js';
import type { PushScope } from '../push/push-scope.js';
import type { Proxy } from '../translate/proxy.js';
import type { EncodedAny } from './ads-service.js';
import type { DeltaResource } from './delta-codec.js';
import { deltaEntry, sotwEntry } from './wire.js';

export interface EncodedResource {
  readonly name: string;
  /** 16 hex chars of SHA-256 over the bytes. */
  readonly hash: string;
  readonly bytes: Buffer;
  /** The Any put in responses, built once so every stream shares it too. */
  readonly any: EncodedAny;
  /** The delta Resource entry (version = hash), likewise shared by every delta stream. */
  readonly delta: DeltaResource;
}

export type Encoder = (typeUrl: XdsTypeUrl, body: EnvoyJson) => Uint8Array;


interface ScopeEntry {
  readonly typeUrl: XdsTypeUrl;
  /** Generator order (Map keeps insertion order), which LDS/CDS responses keep. */
  byName: Map<string, EncodedResource>;
  /** Names generated and found not to exist in this version. */
  absent: Set<string>;
  /** generate(names = undefined) ran: byName holds everything but `stale`. */
  complete: boolean;
  /** Names of a complete entry invalidated by an EDS push: generated again on next use. */
  stale: Set<string>;
  /**
   * byName's values as one array, handed to every caller that asks for everything until
   * byName changes: streams of one scope get the same array, and so share its encoded
   * response block (wire.ts entriesBlock). Cleared whenever byName changes.
   */
  list: readonly EncodedResource[] | undefined;
  /**
   * getNamed's answers by subscription name set: streams that share a subscription object
   * (should-respond.ts pools them) share the answer, and so its encoded block. Replaced
   * whenever byName, absent or stale change.
   */
  named: WeakMap<ReadonlySet<string>, readonly EncodedResource[]>;
}

export function shortHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export interface CacheStats {
  version: string | undefined;
  entries: number;
  resources: number;
  /** generate() calls since the cache was created. */
  generated: number;
  encoded: number;
  /** Resources whose content was encoded before (this or the previous full version): not encoded again. */
  reused: number;
  /** Distinct contents held for reuse (current and previous full version). */
  contents: number;
}

export class ResourceCache {
  private version: string | undefined;
  private entries = new Map<string, ScopeEntry>();
  private generated = 0;
  private encoded = 0;
  /**
   * Encoded resources by content (digest of type, name and proto3 JSON), across versions: a full push
   * regenerates every resource, but most are unchanged, and JSON.stringify costs a small
   * fraction of encoding plus validation. Holds what the current version used (`content`)
   * and what the previous full version used (`previous`); older entries are dropped.
   */
  private content = new Map<string, EncodedResource>();
  private previous = new Map<string, EncodedResource>();
  private reused = 0;

  constructor(
    private readonly encode: Encoder,
    /** Told when a generator returns one name twice (only the first is kept). */
    private readonly onDuplicate: (typeUrl: string, name: string) => void = () => {},
  ) {}

  /**
   * Moves to a new PushContext version. A full push drops every entry of the old version;
   * an EDS-only push keeps them (its PushContext shares all but the endpoint index) except
   * the named clusters' EDS resources. CDS/LDS read endpoints too (DNS clusters, sidecar
   * inbound listeners): the server calls invalidate() for them when the push reaches them.
   */
  advance(version: string, scope: PushScope): void {
    if (version === this.version) {
      if (scope.kind === 'eds') this.invalidateEds(scope.clusters);
      return;
    }
    this.version = version;
    if (scope.kind === 'full') {
      this.entries = new Map();
      this.previous = this.content;
      this.content = new Map();
    } else this.invalidateEds(scope.clusters);
  }

  /**
   * Drops every entry of these types in the current version: they are generated again on
   * next use. Their contents rotate as a full push rotates everything: what they use now
   * becomes `previous` (reused by the regeneration), what they used before that is dropped,
   * so repeated invalidations between two full pushes keep the content maps bounded.
   */
  invalidate(types: readonly XdsTypeUrl[]): void {
    const rotates = (r: EncodedResource): boolean => (types as readonly string[]).includes(r.any.type_url);
    for (const [k, r] of this.previous) if (rotates(r)) this.previous.delete(k);
    for (const [k, r] of this.content) {
      if (!rotates(r)) continue;
      this.content.delete(k);
      this.previous.set(k, r);
    }
    for (const [k, e] of this.entries) if (types.includes(e.typeUrl)) this.entries.delete(k);
  }

  private invalidateEds(clusters: ReadonlySet<string>): void {
    // Between two full pushes (which alone rotate content/previous) endpoint churn must not
    // grow the content maps without bound: the clusters' old EDS contents are superseded,
    // so they are dropped (reusing an unchanged one would only have saved one encode).
    for (const m of [this.content, this.previous]) {
      for (const [k, r] of m) if (r.any.type_url === TypeUrl.ClusterLoadAssignment && clusters.has(r.name)) m.delete(k);
    }
    for (const e of this.entries.values()) {
      if (e.typeUrl !== TypeUrl.ClusterLoadAssignment) continue;
      e.list = undefined;
      e.named = new WeakMap();
      for (const c of clusters) {
        e.byName.delete(c);
        e.absent.delete(c);
        if (e.complete) e.stale.add(c);
      }
    }
  }

  /**
   * The encoded resources of the generator's type for this proxy: all of them when `names`
   * is undefined (in generator order), else the named ones that exist (in `names` order).
   */
  get(push: PushContext, gen: Generator, proxy: Proxy, names: readonly string[] | undefined): readonly EncodedResource[] {
    return this.lookup(this.entryFor(push, gen, proxy), push, gen, proxy, names);
  }

  /**
   * get() for the names of a subscription, in its order, remembered per set object: every
   * stream holding the same (pooled) subscription is handed the same array.
   */
  getNamed(push: PushContext, gen: Generator, proxy: Proxy, names: ReadonlySet<string>): readonly EncodedResource[] {
    const e = this.entryFor(push, gen, proxy);
    const known = e.named.get(names);
    if (known) return known;
    const out = this.lookup(e, push, gen, proxy, [...names]);
    // Set after the lookup: a fill it ran replaced `named`.
    e.named.set(names, out);
    return out;
  }

  private entryFor(push: PushContext, gen: Generator, proxy: Proxy): ScopeEntry {
    // A caller that skipped advance() must never get another version's bytes.
    if (push.version !== this.version) this.advance(push.version, { kind: 'full' });
    const key = `${gen.typeUrl}\n${gen.scopeKey(proxy)}`;
    let e = this.entries.get(key);
    if (!e) {
      e = { typeUrl: gen.typeUrl, byName: new Map(), absent: new Set(), complete: false, stale: new Set(), list: undefined, named: new WeakMap() };
      this.entries.set(key, e);
    }
    return e;
  }

  private lookup(e: ScopeEntry, push: PushContext, gen: Generator, proxy: Proxy, names: readonly string[] | undefined): readonly EncodedResource[] {
    if (names === undefined) {
      if (!e.complete) this.fillAll(e, push, gen, proxy);
      else if (e.stale.size > 0) this.fill(e, push, gen, proxy, [...e.stale]);
      return (e.list ??= [...e.byName.values()]);
    }
    const unknown = names.filter((n) => !e.byName.has(n) && !e.absent.has(n) && (!e.complete || e.stale.has(n)));
    if (unknown.length > 0) this.fill(e, push, gen, proxy, [...new Set(unknown)]);
    const out: EncodedResource[] = [];
    const seen = new Set<string>();
    for (const n of names) {
      const r = e.byName.get(n);
      if (r && !seen.has(n)) {
        seen.add(n);
        out.push(r);
      }
    }
    return out;
  }

  private fillAll(e: ScopeEntry, push: PushContext, gen: Generator, proxy: Proxy): void {
    this.generated += 1;
    const byName = new Map<string, EncodedResource>();
    for (const r of gen.generate(push, proxy, undefined)) {
      if (byName.has(r.name)) {
        this.onDuplicate(gen.typeUrl, r.name);
        continue;
      }
      // Names encoded earlier in this version (by a named request) are the same bytes.
      byName.set(r.name, e.byName.get(r.name) ?? this.encodeOne(gen.typeUrl, r.name, r.body));
    }
    e.byName = byName;
    e.list = undefined;
    e.named = new WeakMap();
    e.absent.clear();
    e.stale.clear();
    e.complete = true;
  }

  private fill(e: ScopeEntry, push: PushContext, gen: Generator, proxy: Proxy, names: string[]): void {
    this.generated += 1;
    e.named = new WeakMap();
    const found = new Set<string>();
    for (const r of gen.generate(push, proxy, names)) {
      if (found.has(r.name)) {
        this.onDuplicate(gen.typeUrl, r.name);
        continue;
      }
      found.add(r.name);
      e.byName.set(r.name, this.encodeOne(gen.typeUrl, r.name, r.body));
      e.list = undefined;
    }
    for (const n of names) {
      e.stale.delete(n);
      if (!found.has(n)) e.absent.add(n);
    }
  }

  private encodeOne(typeUrl: XdsTypeUrl, name: string, body: EnvoyJson): EncodedResource {
    // A digest, not the JSON itself, keys the map: the JSON of a big listener or a
    // cluster's endpoints is many KB, held once more per content for nothing.
    const key = createHash('sha256').update(`${typeUrl}\n${name}\n`).update(JSON.stringify(body)).digest('base64');
    const known = this.content.get(key) ?? this.previous.get(key);
    if (known) {
      this.reused += 1;
      // Moved, not copied: each content is held (and counted) once.
      this.previous.delete(key);
      this.content.set(key, known);
      return known;
    }
    const r = this.encodeFresh(typeUrl, name, body);
    this.content.set(key, r);
    return r;
  }

  private encodeFresh(typeUrl: XdsTypeUrl, name: string, body: EnvoyJson): EncodedResource {
    this.encoded += 1;
    const u8 = this.encode(typeUrl, body);
    const bytes = Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    const hash = shortHash(bytes);
    // Each protocol's response entry is built the first time a stream of that protocol is
    // sent this resource, then shared by all of them (wire.ts).
    let sotw: Buffer | undefined;
    let delta: Buffer | undefined;
    const any: EncodedAny = {
      type_url: typeUrl,
      value: bytes,
      get entry() {
        return (sotw ??= sotwEntry(typeUrl, bytes));
      },
    };
    const deltaResource: DeltaResource = {
      name,
      version: hash,
      resource: any,
      get entry() {
        return (delta ??= deltaEntry(name, hash, typeUrl, bytes));
      },
    };
    return { name, hash, bytes, any, delta: deltaResource };
  }

  /** Every name cached for a type in the current version (any scope key). */
  *names(typeUrl: string): Iterable<string> {
    for (const e of this.entries.values()) if (e.typeUrl === typeUrl) yield* e.byName.keys();
  }

  stats(): CacheStats {
    let resources = 0;
    for (const e of this.entries.values()) resources += e.byName.size;
    return {
      version: this.version,
      entries: this.entries.size,
      resources,
      generated: this.generated,
      encoded: this.encoded,
      reused: this.reused,
      contents: this.content.size + this.previous.size,
    };
  }
}
