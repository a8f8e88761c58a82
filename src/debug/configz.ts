// /debug/configz: the model's input, every object in the config store with where it came
// from (file and document, or Kubernetes API path), plus the problems sources currently
// hold against files or objects they rejected (their last good objects stay in the store).
import type { AnyConfigObject, Kind } from '../model/config.js';
import type { ObjectValidationError } from '../model/errors.js';
import { isKnownKind } from '../model/schemas/index.js';
import type { ConfigStoreReader } from '../model/store.js';

/**
 * Kinds to list. The store has no "list everything", so we ask per kind; names the model
 * does not know (yet) are filtered out, so adding a kind to the model shows it here when
 * it is in this list.
 */
const CANDIDATE_KINDS = [
  'DestinationRule', 'Endpoints', 'EndpointSlice', 'Gateway', 'Pod', 'Service', 'ServiceEntry',
  'Sidecar', 'VirtualService', 'WorkloadEntry', 'WorkloadGroup',
];

export interface ConfigzEntry {
  kind: string;
  apiVersion: string;
  metadata: AnyConfigObject['metadata'];
  spec: unknown;
  origin: AnyConfigObject['origin'];
}

export function buildConfigz(store: ConfigStoreReader): ConfigzEntry[] {
  const kinds: Kind[] = CANDIDATE_KINDS.filter(isKnownKind).sort();
  return kinds.flatMap((k) =>
    store.list(k).map((o) => ({ kind: o.kind, apiVersion: o.apiVersion, metadata: o.metadata, spec: o.spec, origin: o.origin })),
  );
}

/** Anything that can report rejected input (the file source; later the Kubernetes source). */
export interface ErrorSource {
  errors(): ObjectValidationError[];
}

export interface ConfigError {
  source: string;
  location: string;
  document: number | null;
  kind: string;
  namespace: string;
  name: string;
  field: string;
  message: string;
}

/** /debug/config_errors: input that is currently rejected, by location. */
export function buildConfigErrors(sources: readonly ErrorSource[]): ConfigError[] {
  return sources
    .flatMap((s) => s.errors())
    .map((e) => ({
      source: e.origin.source,
      location: e.origin.location,
      document: e.origin.documentIndex ?? null,
      kind: e.kind,
      namespace: e.namespace,
      name: e.name,
      field: e.field,
      message: e.detail,
    }))
    .sort((a, b) => (a.location !== b.location ? (a.location < b.location ? -1 : 1) : (a.document ?? 0) - (b.document ?? 0)));
}
