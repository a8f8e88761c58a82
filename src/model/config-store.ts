// MemoryConfigStore: the in-memory ConfigStore every source writes to. Each owner (a file,
// a Kubernetes object) replaces its whole contribution at once; an object several owners
// define resolves to the last owner in sorted order, so the outcome never depends on the
// order files happened to load.
import type { Logger } from 'pino';
import type { AnyConfigObject, ConfigEvent, ConfigObject, Kind } from './config.js';
import { keyString } from './config.js';
import { deepEqual } from './deep-equal.js';
import type { ConfigStore } from './store.js';

/** Equal for the model: same content, whatever the origin (a moved document is no change). */
export function sameObject(a: AnyConfigObject, b: AnyConfigObject): boolean {
  return (
    a.kind === b.kind &&
    a.apiVersion === b.apiVersion &&
    a.metadata.creationTimestamp === b.metadata.creationTimestamp &&
    deepEqual(a.metadata.labels, b.metadata.labels) &&
    deepEqual(a.metadata.annotations, b.metadata.annotations) &&
    deepEqual(a.spec, b.spec)
  );
}

/** Namespace then name, by code point: the store's (and so every list's) order. */
export function compareObjects(a: ConfigObject, b: ConfigObject): number {
  if (a.metadata.namespace !== b.metadata.namespace) return a.metadata.namespace < b.metadata.namespace ? -1 : 1;
  if (a.metadata.name !== b.metadata.name) return a.metadata.name < b.metadata.name ? -1 : 1;
  return 0;
}

export class MemoryConfigStore implements ConfigStore {
  private readonly owners = new Map<string, Map<string, AnyConfigObject>>();
  /** key → owners that define it; the effective object comes from the greatest owner. */
  private readonly keyOwners = new Map<string, Set<string>>();
  private readonly effective = new Map<string, AnyConfigObject>();
  /** Sorted list per kind, rebuilt lazily after a change to that kind. */
  private readonly lists = new Map<Kind, readonly AnyConfigObject[]>();
  private readonly listeners = new Set<(events: readonly ConfigEvent[]) => void>();
  private readonly logger: Logger | undefined;

  constructor(opts: { logger?: Logger } = {}) {
    this.logger = opts.logger;
  }

  list<K extends Kind>(kind: K): readonly ConfigObject<K>[] {
    let list = this.lists.get(kind);
    if (!list) {
      list = Object.freeze([...this.effective.values()].filter((o) => o.kind === kind).sort(compareObjects));
      this.lists.set(kind, list);
    }
    // Every object in the list was filtered on `kind`.
    return list as readonly ConfigObject<K>[];
  }

  get<K extends Kind>(kind: K, namespace: string, name: string): ConfigObject<K> | undefined {
    // keyString(kind, ...) only ever maps to an object of that kind.
    return this.effective.get(keyString({ kind, namespace, name })) as ConfigObject<K> | undefined;
  }

  /** The owners that currently contribute objects (for debug output). */
  ownerNames(): string[] {
    return [...this.owners.keys()].sort();
  }

  replace(owner: string, objects: readonly AnyConfigObject[]): ConfigEvent[] {
    const prev = this.owners.get(owner) ?? new Map<string, AnyConfigObject>();
    const next = new Map<string, AnyConfigObject>();
    for (const o of objects) next.set(keyString({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }), o);
    if (next.size === 0) this.owners.delete(owner);
    else this.owners.set(owner, next);

    const events: ConfigEvent[] = [];
    const affected = new Set([...prev.keys(), ...next.keys()]);
    for (const key of [...affected].sort()) {
      const owners = this.keyOwners.get(key) ?? new Set<string>();
      const newOwner = !owners.has(owner) && next.has(key);
      if (next.has(key)) owners.add(owner);
      else owners.delete(owner);
      if (owners.size === 0) this.keyOwners.delete(key);
      else this.keyOwners.set(key, owners);

      const before = this.effective.get(key);
      const winner = [...owners].sort().at(-1);
      const after = winner === undefined ? undefined : this.owners.get(winner)?.get(key);
      if (owners.size > 1 && newOwner) {
        this.logger?.warn({ object: key, owners: [...owners].sort(), winner }, `${key} is defined by several owners; using ${winner}`);
      }
      if (after) this.effective.set(key, after);
      else this.effective.delete(key);
      const o = after ?? before;
      if (!o) continue;
      if (before !== after) this.lists.delete(o.kind);
      const k = { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
      if (!before && after) events.push({ type: 'add', ...k });
      else if (before && !after) events.push({ type: 'delete', ...k });
      else if (before && after && !sameObject(before, after)) events.push({ type: 'update', ...k });
    }
    if (events.length > 0) this.emit(events);
    return events;
  }

  subscribe(listener: (events: readonly ConfigEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(events: readonly ConfigEvent[]): void {
    for (const l of [...this.listeners]) {
      try {
        l(events);
      } catch (err) {
        // One faulty subscriber must not starve the others of events.
        this.logger?.error({ err }, 'config store subscriber threw');
      }
    }
  }
}
