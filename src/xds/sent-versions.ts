// What one stream last sent of one type: name → version (content hash). Most streams of a
// scope have been sent the very same list (the cache's shared list for the scope), so the
// record is that list's shared index plus this stream's own differences, instead of a
// Map of a thousand entries per stream. Reset to a shared list in O(1); a single changed
// resource costs one entry.
import type { EncodedResource } from './resource-cache.js';

const EMPTY: ReadonlyMap<string, string> = new Map();
const indexes = new WeakMap<readonly EncodedResource[], ReadonlyMap<string, string>>();

/** name → hash of a shared resource list, built once per list and shared by every stream. */
function indexOf(list: readonly EncodedResource[]): ReadonlyMap<string, string> {
  let idx = indexes.get(list);
  if (!idx) {
    const m = new Map<string, string>();
    for (const r of list) m.set(r.name, r.hash);
    indexes.set(list, (idx = m));
  }
  return idx;
}

export class SentVersions {
  /** Shared, never written. */
  private base: ReadonlyMap<string, string> = EMPTY;
  /** This stream's differences from `base`: a version, or null for "not held". */
  private own = new Map<string, string | null>();
  private count = 0;

  get(name: string): string | undefined {
    const o = this.own.get(name);
    if (o !== undefined) return o ?? undefined;
    return this.base.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    return this.count;
  }

  set(name: string, hash: string): void {
    if (!this.has(name)) this.count++;
    if (this.base.get(name) === hash) this.own.delete(name);
    else this.own.set(name, hash);
  }

  delete(name: string): boolean {
    if (!this.has(name)) return false;
    this.count--;
    if (this.base.has(name)) this.own.set(name, null);
    else this.own.delete(name);
    return true;
  }

  /** Exactly the resources of `list` (a list the cache shares between streams). */
  resetTo(list: readonly EncodedResource[]): void {
    this.base = indexOf(list);
    this.own = new Map();
    this.count = this.base.size;
  }

  clear(): void {
    this.base = EMPTY;
    this.own = new Map();
    this.count = 0;
  }

  *keys(): IterableIterator<string> {
    for (const k of this.base.keys()) if (this.own.get(k) !== null) yield k;
    for (const [k, v] of this.own) if (v !== null && !this.base.has(k)) yield k;
  }

  /**
   * Calls `fn` for every name held, skipping the shared part when `seen` already has it:
   * a scan over all streams then reads each shared list once, not once per stream. The
   * names this stream dropped from a shared part are still reported (a superset is fine
   * for the callers, which look for names to refresh).
   */
  forEachName(seen: Set<object>, fn: (name: string) => void): void {
    if (!seen.has(this.base)) {
      seen.add(this.base);
      for (const k of this.base.keys()) fn(k);
    }
    for (const [k, v] of this.own) if (v !== null) fn(k);
  }
}
