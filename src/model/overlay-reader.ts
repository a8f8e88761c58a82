// A read-only view of a store as it would be after an owner's objects are replaced: lets a
// source check a file's references against "the store with this file" before applying it.
import type { AnyConfigObject, ConfigObject, Kind } from './config.js';
import { keyString } from './config.js';
import { compareObjects } from './config-store.js';
import type { ConfigStoreReader } from './store.js';

function keyOf(o: AnyConfigObject): string {
  return keyString({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
}

export class OverlayReader implements ConfigStoreReader {
  private readonly removed: Set<string>;
  private readonly added = new Map<string, AnyConfigObject>();

  /** `remove`: objects the owner contributes now; `add`: what it would contribute. */
  constructor(
    private readonly base: ConfigStoreReader,
    remove: Iterable<AnyConfigObject>,
    add: Iterable<AnyConfigObject>,
  ) {
    this.removed = new Set([...remove].map(keyOf));
    for (const o of add) this.added.set(keyOf(o), o);
  }

  list<K extends Kind>(kind: K): readonly ConfigObject<K>[] {
    const hidden = (o: ConfigObject<K>): boolean => {
      const k = keyString({ kind, namespace: o.metadata.namespace, name: o.metadata.name });
      return this.removed.has(k) || this.added.has(k);
    };
    // Entries of `added` are filtered on `kind`.
    const extra = [...this.added.values()].filter((o) => o.kind === kind) as ConfigObject<K>[];
    return [...this.base.list(kind).filter((o) => !hidden(o)), ...extra].sort(compareObjects);
  }

  get<K extends Kind>(kind: K, namespace: string, name: string): ConfigObject<K> | undefined {
    const k = keyString({ kind, namespace, name });
    const a = this.added.get(k);
    if (a) return a as ConfigObject<K>;
    return this.removed.has(k) ? undefined : this.base.get(kind, namespace, name);
  }
}
