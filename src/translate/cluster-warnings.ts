// What a DestinationRule asks for that we do not (or, for proxyless gRPC, cannot) emit:
// one warning per field, naming its exact path in the rule, so that nothing is silently
// ignored. Warnings are de-duplicated downstream, so calling this once per cluster is fine.
import type { PortTrafficPolicy, TrafficPolicy } from '../model/istio-types.js';
import type { TranslateContext } from './context.js';
import { objectRef } from './context.js';
import type { DestinationRule } from './dr-lookup.js';

type AnyPolicy = TrafficPolicy | PortTrafficPolicy;

interface Check {
  /** Path below the policy, e.g. `tls.credentialName`. */
  field: string;
  isSet(p: AnyPolicy): boolean;
  message: string;
}

const set = (v: unknown): boolean => v !== undefined;
const top = (p: AnyPolicy): TrafficPolicy => p as TrafficPolicy;

/** Unsupported for every proxy. */
const ENVOY: Check[] = [
  { field: 'tunnel', isSet: (p) => set(top(p).tunnel), message: 'tunnel (HTTP CONNECT upstream) is not supported yet; ignored' },
  { field: 'proxyProtocol', isSet: (p) => set(top(p).proxyProtocol), message: 'proxyProtocol is not supported yet; ignored' },
  { field: 'retryBudget', isSet: (p) => set(top(p).retryBudget), message: 'retryBudget is not supported yet; ignored' },
  { field: 'loadBalancer.warmup', isSet: (p) => set(p.loadBalancer?.warmup), message: 'warmup is not supported yet (warmupDurationSecs is); ignored' },
  {
    field: 'loadBalancer.localityLbSetting.failoverPriority',
    isSet: (p) => (p.loadBalancer?.localityLbSetting?.failoverPriority?.length ?? 0) > 0,
    message: 'failoverPriority is not supported yet; ignored (failover and distribute are)',
  },
  {
    field: 'tls.credentialName',
    isSet: (p) => set(p.tls?.credentialName),
    message: 'credentialName needs SDS, which is not supported yet; ignored (caCertificates, clientCertificate and privateKey files are used)',
  },
  {
    field: 'tls.clientCertificate',
    isSet: (p) => p.tls?.mode === 'MUTUAL' && (!p.tls.clientCertificate || !p.tls.privateKey),
    message: 'MUTUAL needs clientCertificate and privateKey files; the cluster presents no client certificate',
  },
];

/** What proxyless gRPC clients (grpc-js-xds, C-core) do not implement. */
const GRPC: Check[] = [
  {
    field: 'loadBalancer.simple',
    isSet: (p) => set(p.loadBalancer?.simple) && !['ROUND_ROBIN', 'UNSPECIFIED'].includes(p.loadBalancer?.simple ?? '') && !p.loadBalancer?.consistentHash,
    message: 'proxyless gRPC supports only ROUND_ROBIN and RING_HASH; ROUND_ROBIN is used for gRPC clients',
  },
  { field: 'loadBalancer.consistentHash.maglev', isSet: (p) => set(p.loadBalancer?.consistentHash?.maglev), message: 'proxyless gRPC has no MAGLEV; RING_HASH is used for gRPC clients' },
  {
    field: 'loadBalancer.consistentHash',
    isSet: (p) => set(p.loadBalancer?.consistentHash?.httpCookie) || set(p.loadBalancer?.consistentHash?.httpQueryParameterName),
    message: 'proxyless gRPC hashes only on a header or its channel (useSourceIp); cookie and query parameter hashing give gRPC clients a random hash',
  },
  { field: 'loadBalancer.warmupDurationSecs', isSet: (p) => set(p.loadBalancer?.warmupDurationSecs), message: 'slow start is not supported by proxyless gRPC; ignored for gRPC clients' },
  { field: 'connectionPool.tcp', isSet: (p) => set(p.connectionPool?.tcp), message: 'TCP connection pool settings are not supported by proxyless gRPC; ignored for gRPC clients' },
  {
    field: 'connectionPool.http',
    isSet: (p) => Object.keys(p.connectionPool?.http ?? {}).some((k) => k !== 'http2MaxRequests'),
    message: 'proxyless gRPC honours only http2MaxRequests (circuit breaking); the other HTTP pool settings are ignored for gRPC clients',
  },
  {
    field: 'outlierDetection',
    isSet: (p) => set(p.outlierDetection?.consecutive5xxErrors) || set(p.outlierDetection?.consecutiveGatewayErrors) || set(p.outlierDetection?.consecutiveErrors),
    message: 'proxyless gRPC cannot count consecutive errors; gRPC clients get failure-percentage ejection (more than 50 % failed of at least that many calls per interval)',
  },
  {
    field: 'outlierDetection',
    isSet: (p) => set(p.outlierDetection?.minHealthPercent) || set(p.outlierDetection?.splitExternalLocalOriginErrors) || set(p.outlierDetection?.consecutiveLocalOriginFailures),
    message: 'minHealthPercent and local-origin error settings are not supported by proxyless gRPC; ignored for gRPC clients',
  },
  {
    field: 'tls',
    isSet: (p) => set(p.tls?.mode) && p.tls?.mode !== 'DISABLE',
    message: 'TLS for proxyless gRPC needs xDS credentials and certificate providers, which are not supported yet; gRPC clients connect in plaintext',
  },
];

function checkPolicy(ctx: TranslateContext, dr: DestinationRule, policy: AnyPolicy | undefined, path: string, checks: readonly Check[]): void {
  if (!policy) return;
  for (const c of checks) {
    if (c.isSet(policy)) ctx.warn({ object: objectRef(dr), field: `${path}.${c.field}`, message: c.message });
  }
}

/** Warns about every unsupported field of `dr`, everywhere a traffic policy can appear. */
export function warnUnsupportedPolicy(ctx: TranslateContext, dr: DestinationRule, grpc: boolean): void {
  const checks = grpc ? [...ENVOY, ...GRPC] : ENVOY;
  const walk = (policy: TrafficPolicy | undefined, path: string): void => {
    checkPolicy(ctx, dr, policy, path, checks);
    policy?.portLevelSettings?.forEach((p, i) => checkPolicy(ctx, dr, p, `${path}.portLevelSettings[${i}]`, checks));
  };
  walk(dr.spec.trafficPolicy, 'spec.trafficPolicy');
  dr.spec.subsets?.forEach((s, i) => walk(s.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
}
