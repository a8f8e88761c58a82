// The checks behind `mini-istiod analyze`, each after the istioctl analyzer of the same
// message: schema errors, references to hosts, subsets, gateways and gateway workloads
// that do not exist, VirtualServices fighting over a host, and Service port names.
import type { AnyConfigObject, ConfigObject } from '../model/config.js';
import { destinations } from '../model/references.js';
import { resolveHost } from '../model/host.js';
import type { PushContext } from '../push/push-context.js';
import type { LoadedConfig, RawDoc } from './load.js';
import { lineOf } from './load.js';
import * as msg from './messages.js';
import type { Message, MessageType } from './messages.js';

export interface AnalysisInput {
  loaded: LoadedConfig;
  push: PushContext;
}

function docOf(input: AnalysisInput, o: AnyConfigObject): RawDoc | undefined {
  return input.loaded.docs.find((d) => d.rel === o.origin.location && d.index === o.origin.documentIndex);
}

function at(input: AnalysisInput, o: AnyConfigObject, type: MessageType, text: string, field = ''): Message {
  const d = docOf(input, o);
  return {
    type,
    text,
    origin: { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, file: d?.file ?? o.origin.location, line: lineOf(d, field) },
  };
}

/** IST0106: everything our schemas reject (unknown fields, wrong types, bad YAML). */
export function schemaErrors(input: AnalysisInput): Message[] {
  return input.loaded.errors.map((e) => {
    const d = input.loaded.docs.find((x) => x.rel === e.origin.location && x.index === e.origin.documentIndex);
    const err = e.field === '' ? e.detail : `${e.field}: ${e.detail}`;
    return {
      type: msg.SchemaValidationError,
      text: msg.texts.schemaValidation(err),
      origin: { kind: e.kind, namespace: e.namespace, name: e.name, file: d?.file ?? e.origin.location, line: lineOf(d, e.field) },
    };
  });
}

const virtualServices = (input: AnalysisInput) =>
  input.loaded.objects.filter((o): o is ConfigObject<'VirtualService'> => o.kind === 'VirtualService');

/** A host exists when a service has it, exactly or through a wildcard ServiceEntry host. */
function hostExists(push: PushContext, fqdn: string): boolean {
  if (push.serviceByHost.has(fqdn)) return true;
  return push.services.some((s) => s.hostname.startsWith('*.') && fqdn.endsWith(s.hostname.slice(1)));
}

/** IST0101 for VirtualService destinations: unknown hosts, and subsets no DestinationRule defines. */
export function destinationReferences(input: AnalysisInput): Message[] {
  const out: Message[] = [];
  const subsets = new Map<string, Set<string>>();
  for (const o of input.loaded.objects) {
    if (o.kind !== 'DestinationRule') continue;
    const h = resolveHost(o.spec.host, o.metadata.namespace);
    const set = subsets.get(h) ?? new Set<string>();
    for (const s of o.spec.subsets ?? []) set.add(s.name);
    subsets.set(h, set);
  }
  for (const vs of virtualServices(input)) {
    for (const { dest, field } of destinations(vs)) {
      const fqdn = resolveHost(dest.host, vs.metadata.namespace);
      if (!hostExists(input.push, fqdn)) {
        out.push(at(input, vs, msg.ReferencedResourceNotFound, msg.texts.referencedNotFound('host', dest.host), `${field}.host`));
      }
      if (dest.subset && !subsets.get(fqdn)?.has(dest.subset)) {
        out.push(
          at(input, vs, msg.ReferencedResourceNotFound, msg.texts.referencedNotFound('host+subset in destinationrule', `${dest.host}+${dest.subset}`), `${field}.subset`),
        );
      }
    }
  }
  return out;
}

interface RawGateway {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  ports: { number: number; index: number }[];
  doc: RawDoc;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Gateways straight from the YAML: whether or not the model translates them yet. */
function rawGateways(input: AnalysisInput): RawGateway[] {
  const out: RawGateway[] = [];
  for (const d of input.loaded.docs) {
    const v = d.value;
    if (!isRecord(v) || v['kind'] !== 'Gateway' || !String(v['apiVersion'] ?? '').startsWith('networking.istio.io/')) continue;
    const meta = isRecord(v['metadata']) ? v['metadata'] : {};
    const spec = isRecord(v['spec']) ? v['spec'] : {};
    const selector = isRecord(spec['selector']) ? Object.fromEntries(Object.entries(spec['selector']).map(([k, x]) => [k, String(x)])) : {};
    const servers = Array.isArray(spec['servers']) ? spec['servers'] : [];
    const ports = servers.flatMap((s, index) => (isRecord(s) && isRecord(s['port']) && typeof s['port']['number'] === 'number' ? [{ number: s['port']['number'], index }] : []));
    out.push({ namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default', name: String(meta['name'] ?? ''), selector, ports, doc: d });
  }
  return out;
}

/** IST0101 for VirtualService gateways that name no Gateway (`mesh` is the sidecars). */
export function gatewayReferences(input: AnalysisInput): Message[] {
  const known = new Set(rawGateways(input).map((g) => `${g.namespace}/${g.name}`));
  const out: Message[] = [];
  for (const vs of virtualServices(input)) {
    (vs.spec.gateways ?? []).forEach((g, i) => {
      if (g === 'mesh') return;
      const key = g.includes('/') ? g : `${vs.metadata.namespace}/${g}`;
      if (!known.has(key)) out.push(at(input, vs, msg.ReferencedResourceNotFound, msg.texts.referencedNotFound('gateway', g), `spec.gateways[${i}]`));
    });
  }
  return out;
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** IST0101 (no workload matches the selector) and IST0104 (a server port no Service of the workload exposes). */
export function gatewayWorkloads(input: AnalysisInput): Message[] {
  const out: Message[] = [];
  const pods = input.loaded.objects.filter((o): o is ConfigObject<'Pod'> => o.kind === 'Pod');
  const services = input.loaded.objects.filter((o): o is ConfigObject<'Service'> => o.kind === 'Service');
  for (const gw of rawGateways(input)) {
    const selector = Object.entries(gw.selector).map(([k, v]) => `${k}=${v}`).sort().join(',');
    const origin = { kind: 'Gateway', namespace: gw.namespace, name: gw.name, file: gw.doc.file };
    const matching = pods.filter((p) => selects(gw.selector, p.metadata.labels));
    if (matching.length === 0) {
      out.push({ type: msg.ReferencedResourceNotFound, text: msg.texts.referencedNotFound('selector', selector), origin: { ...origin, line: lineOf(gw.doc, 'spec.selector') } });
      continue;
    }
    const exposed = new Set<number>();
    for (const s of services) {
      const sel = s.spec.selector ?? {};
      if (matching.some((p) => p.metadata.namespace === s.metadata.namespace && selects(sel, p.metadata.labels))) {
        for (const p of s.spec.ports ?? []) exposed.add(p.port);
      }
    }
    for (const p of gw.ports) {
      if (exposed.has(p.number)) continue;
      out.push({ type: msg.GatewayPortNotOnWorkload, text: msg.texts.gatewayPortNotOnWorkload(selector, p.number), origin: { ...origin, line: lineOf(gw.doc, `spec.servers[${p.index}].port`) } });
    }
  }
  return out;
}

/** IST0109: two VirtualServices bound to the mesh (sidecars) that claim the same host. */
export function conflictingMeshHosts(input: AnalysisInput): Message[] {
  const byHost = new Map<string, { vs: ConfigObject<'VirtualService'>; index: number }[]>();
  for (const vs of virtualServices(input)) {
    const gws = vs.spec.gateways ?? [];
    if (gws.length > 0 && !gws.includes('mesh')) continue;
    (vs.spec.hosts ?? []).forEach((h, index) => {
      const fqdn = resolveHost(h, vs.metadata.namespace);
      const list = byHost.get(fqdn) ?? [];
      if (!list.some((x) => x.vs === vs)) list.push({ vs, index });
      byHost.set(fqdn, list);
    });
  }
  const out: Message[] = [];
  for (const [host, list] of byHost) {
    if (list.length < 2) continue;
    const names = list.map((x) => `${x.vs.metadata.namespace}/${x.vs.metadata.name}`).sort().join(',');
    for (const { vs, index } of list) out.push(at(input, vs, msg.ConflictingMeshGatewayVirtualServiceHosts, msg.texts.conflictingMeshHosts(names, host), `spec.hosts[${index}]`));
  }
  return out;
}

/** Istio's protocol prefixes: a port name is `<protocol>` or `<protocol>-<suffix>`. */
const PROTOCOLS = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'mongo', 'mysql', 'redis', 'udp', 'thrift', 'zookeeper'];

/** IST0118 (Info): Service ports whose name does not say the protocol and have no appProtocol. */
export function portNames(input: AnalysisInput): Message[] {
  const out: Message[] = [];
  for (const s of input.loaded.objects) {
    if (s.kind !== 'Service') continue;
    (s.spec.ports ?? []).forEach((p, i) => {
      if (p.appProtocol) return;
      const name = (p.name ?? '').toLowerCase();
      if (PROTOCOLS.some((proto) => name === proto || name.startsWith(`${proto}-`))) return;
      out.push(at(input, s, msg.PortNameIsNotUnderNamingConvention, msg.texts.portNameConvention(p.name ?? '', p.port, String(p.targetPort ?? p.port)), `spec.ports[${i}]`));
    });
  }
  return out;
}

export const ANALYZERS: readonly ((input: AnalysisInput) => Message[])[] = [
  schemaErrors,
  destinationReferences,
  gatewayReferences,
  gatewayWorkloads,
  conflictingMeshHosts,
  portNames,
];
