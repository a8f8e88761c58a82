// parseObject: a raw parsed YAML/JSON document → a validated ConfigObject, or errors that
// name the file, document, object and field. Kinds we do not model but that are harmless
// in a config dir are skipped (undefined), anything else unknown is an error.
import type * as z from 'zod';
import type { AnyConfigObject, ConfigKey, ConfigObject, Kind, ObjectMeta, ObjectOrigin, SpecOf } from '../config.js';
import { ObjectValidationError, describeValue, zodIssuesToProblems } from '../errors.js';
import type { Parsed, RawMeta } from './common.js';
import { destinationRule } from './destination-rule.js';
import { gateway } from './gateway.js';
import { kubeEndpointSlice, kubeEndpoints, kubePod, kubeService } from './kube.js';
import { serviceEntry, workloadEntry } from './service-entry.js';
import { sidecar } from './sidecar.js';
import { virtualService } from './virtual-service.js';

const ISTIO_VERSIONS = ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'];

interface KindDef<K extends Kind> {
  apiVersions: readonly string[];
  schema: z.ZodType<Parsed<SpecOf<K>>>;
}

const KINDS: { [K in Kind]: KindDef<K> } = {
  Service: { apiVersions: ['v1'], schema: kubeService },
  Endpoints: { apiVersions: ['v1'], schema: kubeEndpoints },
  EndpointSlice: { apiVersions: ['discovery.k8s.io/v1'], schema: kubeEndpointSlice },
  Pod: { apiVersions: ['v1'], schema: kubePod },
  VirtualService: { apiVersions: ISTIO_VERSIONS, schema: virtualService },
  DestinationRule: { apiVersions: ISTIO_VERSIONS, schema: destinationRule },
  ServiceEntry: { apiVersions: ISTIO_VERSIONS, schema: serviceEntry },
  WorkloadEntry: { apiVersions: ISTIO_VERSIONS, schema: workloadEntry },
  Gateway: { apiVersions: ISTIO_VERSIONS, schema: gateway },
  Sidecar: { apiVersions: ISTIO_VERSIONS, schema: sidecar },
};

/**
 * Kinds skipped without error: other Istio config (not translated yet) and the usual
 * companions of a Kubernetes manifest. Anything else (including typos) is an error.
 */
export const SKIPPED_KINDS: ReadonlySet<string> = new Set([
  'EnvoyFilter', 'WorkloadGroup', 'ProxyConfig', 'PeerAuthentication',
  'AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin',
  'Namespace', 'ServiceAccount', 'Deployment', 'ConfigMap', 'Secret', 'StatefulSet', 'DaemonSet',
  'ReplicaSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler', 'PodDisruptionBudget',
  'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding',
]);

export function isKnownKind(kind: string): kind is Kind {
  return Object.hasOwn(KINDS, kind);
}

export type ValidationResult =
  | { status: 'ok'; object: AnyConfigObject }
  | { status: 'skipped'; kind: string; apiVersion: string }
  | { status: 'invalid'; errors: ObjectValidationError[] };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringField(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Validates one document; every problem found is returned, not only the first. */
export function validateObject(
  raw: unknown,
  origin: ObjectOrigin,
  firstSeen: (key: ConfigKey) => string,
): ValidationResult {
  const meta = isRecord(raw) && isRecord(raw['metadata']) ? raw['metadata'] : {};
  const kind = isRecord(raw) ? stringField(raw['kind']) : '';
  const apiVersion = isRecord(raw) ? stringField(raw['apiVersion']) : '';
  const namespace = stringField(meta['namespace']) || 'default';
  const name = stringField(meta['name']);
  const fail = (field: string, detail: string): ValidationResult => ({
    status: 'invalid',
    errors: [new ObjectValidationError({ origin, kind, namespace, name, field, detail })],
  });

  if (!isRecord(raw)) return fail('', `expected an object, got ${describeValue(raw)}`);
  if (kind === '') return fail('kind', raw['kind'] === undefined ? 'required' : `expected string, got ${describeValue(raw['kind'])}`);
  if (!isKnownKind(kind)) {
    if (SKIPPED_KINDS.has(kind)) return { status: 'skipped', kind, apiVersion };
    return fail('kind', `unknown kind "${kind}" (apiVersion "${apiVersion}")`);
  }
  const def: KindDef<Kind> = KINDS[kind];
  if (!def.apiVersions.includes(apiVersion)) {
    return fail('apiVersion', `unsupported apiVersion "${apiVersion}" for ${kind} (expected ${def.apiVersions.join(', ')})`);
  }
  const result = def.schema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    return {
      status: 'invalid',
      errors: zodIssuesToProblems(result.error.issues).map(
        (p) => new ObjectValidationError({ origin, kind, namespace, name, field: p.field, detail: p.detail }),
      ),
    };
  }
  const metadata = toObjectMeta(result.data.metadata, kind, firstSeen);
  const object: ConfigObject = { kind, apiVersion, metadata, spec: result.data.spec, origin };
  // The kind table ties each kind to its spec schema, so kind and spec agree here.
  return { status: 'ok', object: object as AnyConfigObject };
}

function toObjectMeta(raw: RawMeta, kind: Kind, firstSeen: (key: ConfigKey) => string): ObjectMeta {
  const namespace = raw.namespace ?? 'default';
  let creationTimestamp: string;
  if (raw.creationTimestamp instanceof Date) creationTimestamp = raw.creationTimestamp.toISOString();
  else creationTimestamp = raw.creationTimestamp ?? firstSeen({ kind, namespace, name: raw.name });
  const meta: ObjectMeta = {
    name: raw.name,
    namespace,
    labels: raw.labels ?? {},
    annotations: raw.annotations ?? {},
    creationTimestamp,
  };
  if (raw.resourceVersion !== undefined) meta.resourceVersion = raw.resourceVersion;
  if (raw.generation !== undefined) meta.generation = raw.generation;
  if (raw.uid !== undefined) meta.uid = raw.uid;
  return meta;
}

/**
 * Validates one document. Returns undefined for kinds that are skipped on purpose, throws
 * the first ObjectValidationError otherwise (validateObject gives all of them).
 * `firstSeen` supplies creationTimestamp when the object has none; it receives the key so
 * that a caller can keep that time stable across reloads.
 */
export function parseObject(
  raw: unknown,
  origin: ObjectOrigin,
  firstSeen: (key: ConfigKey) => string,
): AnyConfigObject | undefined {
  const r = validateObject(raw, origin, firstSeen);
  if (r.status === 'ok') return r.object;
  if (r.status === 'skipped') return undefined;
  throw r.errors[0];
}
