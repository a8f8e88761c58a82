// The config store's interface. Sources write whole "owners" (a file, or one Kubernetes
// object) at a time; readers see a consistent view. Storing an equal object fires no event.
import type { AnyConfigObject, ConfigEvent, ConfigObject, Kind } from './config.js';

export interface ConfigStoreReader {
  /** All objects of a kind, sorted by namespace then name (deterministic). */
  list<K extends Kind>(kind: K): readonly ConfigObject<K>[];
  get<K extends Kind>(kind: K, namespace: string, name: string): ConfigObject<K> | undefined;
}

export interface ConfigStore extends ConfigStoreReader {
  /**
   * Replaces everything `owner` contributed (a file path, or `kube:<kind>/<ns>/<name>`)
   * with `objects`, and returns the events this caused (also delivered to subscribers).
   * An empty list removes the owner's objects.
   */
  replace(owner: string, objects: readonly AnyConfigObject[]): ConfigEvent[];
  /** Called with each non-empty batch of events, synchronously after replace(). */
  subscribe(listener: (events: readonly ConfigEvent[]) => void): () => void;
}
