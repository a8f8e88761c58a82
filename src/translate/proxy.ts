// Who is asking: a proxy's identity, parsed from the xDS Node it sends.
// Envoy node ids follow Istio: TYPE~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local.
// Proxyless gRPC clients say so with node metadata GENERATOR=grpc.

export type ProxyKind = 'sidecar' | 'router' | 'grpc';

export interface Proxy {
  /** node.id as sent. */
  id: string;
  kind: ProxyKind;
  /** The first IP of the proxy ('' when unknown, e.g. a gRPC client with a free-form id). */
  ip: string;
  /** INSTANCE_IPS metadata, or [ip]. */
  ips: string[];
  /** Pod (or workload) name, '' when unknown. */
  podName: string;
  /** The proxy's namespace: from the id, else NAMESPACE metadata, else 'default'. */
  namespace: string;
  /** LABELS metadata. */
  labels: Record<string, string>;
  /** node.cluster as sent. */
  cluster: string;
  /** Flat string view of node.metadata, for anything else a generator needs. */
  metadata: Record<string, string>;
  /**
   * node.user_agent_name and its version (user_agent_version, else user_agent_build_version
   * as MAJOR.MINOR.PATCH), when sent: client bugs are per release, so features are gated on
   * it (grpc-client-features.ts). grpc-js-xds sends "gRPC Node Pure JS" / "1.14.1"; Python
   * on C-core sends "gRPC C-core linux Python" / "C-core 29.0.0 Python 1.51.1".
   */
  userAgent?: { name: string; version: string };
}

/** The parts of envoy.config.core.v3.Node we read (decoded with camelCase field names). */
export interface NodeInfo {
  id?: string;
  cluster?: string;
  /** google.protobuf.Struct already converted to plain JSON. */
  metadata?: Record<string, unknown>;
  userAgentName?: string;
  /** The user_agent_version_type oneof: a free-form string… */
  userAgentVersion?: string;
  /** …or a structured BuildVersion (only its semantic version is read). */
  userAgentBuildVersion?: { version?: { majorNumber?: number; minorNumber?: number; patch?: number } };
}

export class NodeIdError extends Error {}

function userAgentOf(node: NodeInfo): Proxy['userAgent'] {
  const name = node.userAgentName ?? '';
  const v = node.userAgentBuildVersion?.version;
  const version = node.userAgentVersion || (v ? `${v.majorNumber ?? 0}.${v.minorNumber ?? 0}.${v.patch ?? 0}` : '');
  return name === '' && version === '' ? undefined : { name, version };
}

function stringMap(v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/**
 * Parses a Node into a Proxy. Throws NodeIdError for an Envoy-style id that is malformed
 * (the stream is then refused with a clear message); a gRPC client's id may be anything.
 */
export function parseProxy(node: NodeInfo): Proxy {
  const id = node.id ?? '';
  const meta = node.metadata ?? {};
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'string') metadata[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') metadata[k] = String(v);
  }
  const labels = stringMap(meta['LABELS']);
  const instanceIps = (metadata['INSTANCE_IPS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const userAgent = userAgentOf(node);
  // Spread only when known, so proxies without one compare equal to before (golden tests).
  const base = { id, labels, cluster: node.cluster ?? '', metadata, ...(userAgent ? { userAgent } : {}) };

  if (metadata['GENERATOR'] === 'grpc') {
    const parts = id.split('~');
    const fromId = parts.length === 4 ? parseEnvoyId(id) : undefined;
    const namespace = metadata['NAMESPACE'] ?? fromId?.namespace ?? 'default';
    const ip = fromId?.ip ?? instanceIps[0] ?? '';
    return { ...base, kind: 'grpc', ip, ips: instanceIps.length ? instanceIps : ip ? [ip] : [], podName: fromId?.podName ?? '', namespace };
  }
  const p = parseEnvoyId(id);
  return {
    ...base,
    kind: p.kind,
    ip: p.ip,
    ips: instanceIps.length ? instanceIps : [p.ip],
    podName: p.podName,
    namespace: p.namespace || metadata['NAMESPACE'] || 'default',
  };
}

function parseEnvoyId(id: string): { kind: 'sidecar' | 'router'; ip: string; podName: string; namespace: string } {
  const parts = id.split('~');
  if (parts.length !== 4) {
    throw new NodeIdError(
      `node.id "${id}": expected TYPE~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local (4 parts separated by ~), got ${parts.length}`,
    );
  }
  const [kind, ip, podDotNs, domain] = parts as [string, string, string, string];
  if (kind !== 'sidecar' && kind !== 'router') {
    throw new NodeIdError(`node.id "${id}": type "${kind}" is not sidecar or router`);
  }
  const dot = podDotNs.lastIndexOf('.');
  const podName = dot > 0 ? podDotNs.slice(0, dot) : podDotNs;
  const namespace = dot > 0 ? podDotNs.slice(dot + 1) : (domain.split('.')[0] ?? '');
  return { kind, ip, podName, namespace };
}
