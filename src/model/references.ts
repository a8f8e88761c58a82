// Cross-object checks the per-object schemas cannot make: a VirtualService destination that
// names a subset must find it in some DestinationRule for that host. Missing hosts are
// fine (Istio allows routes to hosts it does not know; istioctl only warns).
import type { AnyConfigObject, ConfigObject } from './config.js';
import { ObjectValidationError } from './errors.js';
import { resolveHost } from './host.js';
import type { Destination } from './istio-types.js';
import type { ConfigStoreReader } from './store.js';

export { resolveHost } from './host.js';

/** Subset names per resolved host, across every DestinationRule in the store. */
function subsetsByHost(store: ConfigStoreReader): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const dr of store.list('DestinationRule')) {
    const h = resolveHost(dr.spec.host, dr.metadata.namespace);
    let set = out.get(h);
    if (!set) out.set(h, (set = new Set()));
    for (const s of dr.spec.subsets ?? []) set.add(s.name);
  }
  return out;
}

/** Every destination of a VirtualService with the field path that names it. */
export function destinations(vs: ConfigObject<'VirtualService'>): { dest: Destination; field: string }[] {
  const out: { dest: Destination; field: string }[] = [];
  (vs.spec.http ?? []).forEach((r, i) => {
    (r.route ?? []).forEach((d, j) => out.push({ dest: d.destination, field: `spec.http[${i}].route[${j}].destination` }));
    if (r.mirror) out.push({ dest: r.mirror, field: `spec.http[${i}].mirror` });
    (r.mirrors ?? []).forEach((m, j) => out.push({ dest: m.destination, field: `spec.http[${i}].mirrors[${j}].destination` }));
  });
  (vs.spec.tcp ?? []).forEach((r, i) =>
    (r.route ?? []).forEach((d, j) => out.push({ dest: d.destination, field: `spec.tcp[${i}].route[${j}].destination` })),
  );
  (vs.spec.tls ?? []).forEach((r, i) =>
    (r.route ?? []).forEach((d, j) => out.push({ dest: d.destination, field: `spec.tls[${i}].route[${j}].destination` })),
  );
  return out;
}

/**
 * Checks the VirtualServices among `objects` against the DestinationRules in `store`
 * (which should already include `objects`, e.g. an overlay of a file being applied).
 */
export function checkReferences(store: ConfigStoreReader, objects: readonly AnyConfigObject[]): ObjectValidationError[] {
  const errors: ObjectValidationError[] = [];
  let subsets: Map<string, Set<string>> | undefined;
  for (const obj of objects) {
    if (obj.kind !== 'VirtualService') continue;
    for (const { dest, field } of destinations(obj)) {
      if (dest.subset === undefined || dest.subset === '') continue;
      subsets ??= subsetsByHost(store);
      const h = resolveHost(dest.host, obj.metadata.namespace);
      if (subsets.get(h)?.has(dest.subset)) continue;
      errors.push(
        new ObjectValidationError({
          origin: obj.origin,
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          field: `${field}.subset`,
          detail: `subset "${dest.subset}" not found in any DestinationRule for host ${h}`,
        }),
      );
    }
  }
  return errors;
}
