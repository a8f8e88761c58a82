// DestinationRule (networking.istio.io v1 / v1beta1 / v1alpha3), strict, every field of
// Istio's API (including the 1.26+ additions), with durations and ports checked.
import * as z from 'zod';
import type { DestinationRuleSpec, TrafficPolicy } from '../istio-types.js';
import { bool, duration, host, int, istioObject, percentValue, port, portSelector, str, stringList, stringMap, uint } from './common.js';

const consistentHash = z.strictObject({
  httpHeaderName: str.optional(),
  httpCookie: z
    .strictObject({
      name: str,
      path: str.optional(),
      ttl: duration.optional(),
      attributes: z.array(z.strictObject({ name: str, value: str.optional() })).optional(),
    })
    .optional(),
  useSourceIp: bool.optional(),
  httpQueryParameterName: str.optional(),
  ringHash: z.strictObject({ minimumRingSize: uint.optional() }).optional(),
  maglev: z.strictObject({ tableSize: uint.optional() }).optional(),
  minimumRingSize: uint.optional(),
});

const localityLbSetting = z.strictObject({
  distribute: z.array(z.strictObject({ from: str, to: z.record(z.string(), uint) })).optional(),
  failover: z.array(z.strictObject({ from: str, to: str })).optional(),
  failoverPriority: stringList.optional(),
  enabled: bool.optional(),
});

const loadBalancer = z.strictObject({
  simple: z.enum(['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST']).optional(),
  consistentHash: consistentHash.optional(),
  localityLbSetting: localityLbSetting.optional(),
  warmupDurationSecs: duration.optional(),
  warmup: z
    .strictObject({ duration: duration.optional(), minimumPercent: percentValue.optional(), aggression: z.number().optional() })
    .optional(),
});

const connectionPool = z.strictObject({
  tcp: z
    .strictObject({
      maxConnections: int.optional(),
      connectTimeout: duration.optional(),
      tcpKeepalive: z.strictObject({ probes: uint.optional(), time: duration.optional(), interval: duration.optional() }).optional(),
      maxConnectionDuration: duration.optional(),
      idleTimeout: duration.optional(),
    })
    .optional(),
  http: z
    .strictObject({
      http1MaxPendingRequests: int.optional(),
      http2MaxRequests: int.optional(),
      maxRequestsPerConnection: int.optional(),
      maxRetries: int.optional(),
      idleTimeout: duration.optional(),
      h2UpgradePolicy: z.enum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']).optional(),
      useClientProtocol: bool.optional(),
      maxConcurrentStreams: int.optional(),
    })
    .optional(),
});

const outlierDetection = z.strictObject({
  splitExternalLocalOriginErrors: bool.optional(),
  consecutiveLocalOriginFailures: uint.optional(),
  consecutiveGatewayErrors: uint.optional(),
  consecutive5xxErrors: uint.optional(),
  consecutiveErrors: int.optional(),
  interval: duration.optional(),
  baseEjectionTime: duration.optional(),
  maxEjectionPercent: int.optional(),
  minHealthPercent: int.optional(),
});

const clientTls = z.strictObject({
  mode: z.enum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']).optional(),
  clientCertificate: str.optional(),
  privateKey: str.optional(),
  caCertificates: str.optional(),
  credentialName: str.optional(),
  subjectAltNames: stringList.optional(),
  sni: str.optional(),
  insecureSkipVerify: bool.optional(),
  caCrl: str.optional(),
});

const policyFields = {
  loadBalancer: loadBalancer.optional(),
  connectionPool: connectionPool.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTls.optional(),
};

export const trafficPolicy: z.ZodType<TrafficPolicy> = z.strictObject({
  ...policyFields,
  portLevelSettings: z.array(z.strictObject({ port: portSelector.optional(), ...policyFields })).optional(),
  tunnel: z.strictObject({ protocol: str.optional(), targetHost: str, targetPort: port }).optional(),
  proxyProtocol: z.strictObject({ version: z.enum(['V1', 'V2']).optional() }).optional(),
  // Istio 1.27+: retry budget (percent of active requests, 0..100).
  retryBudget: z.strictObject({ percent: percentValue.optional(), minRetryConcurrency: uint.optional() }).optional(),
});

export const destinationRuleSpec: z.ZodType<DestinationRuleSpec> = z.strictObject({
  host,
  trafficPolicy: trafficPolicy.optional(),
  subsets: z
    .array(z.strictObject({ name: z.string().min(1, { error: 'subset name must not be empty' }), labels: stringMap.optional(), trafficPolicy: trafficPolicy.optional() }))
    .optional(),
  exportTo: stringList.optional(),
  workloadSelector: z.strictObject({ matchLabels: stringMap.optional() }).optional(),
});

export const destinationRule = istioObject(destinationRuleSpec);
