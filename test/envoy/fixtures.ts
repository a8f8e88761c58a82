// Realistic Envoy resources in canonical proto3 JSON, shaped like what istiod emits and
// Envoy's /config_dump prints. Canonical means: no defaults, lowerCamelCase, int64 as
// strings, so toJson(fromJson(x)) must give back exactly x.
import { CodecError, fromJson, toJsonValue } from '../../src/envoy/codec.js';
import { lookupType } from '../../src/envoy/protos.js';

/** fromJson, then encode → decode → toJson: the full wire round trip. */
export function wire(typeName: string, json: unknown): unknown {
  return toJsonValue(typeName, lookupType(typeName).encode(fromJson(typeName, json)).finish());
}

/** The CodecError `fn` throws (fails the test if it throws nothing or something else). */
export function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error('expected a CodecError');
}

export const HCM_URL = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
export const FAULT_URL = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

export function cluster(): Record<string, unknown> {
  return {
    name: 'outbound|9080||reviews.default.svc.cluster.local',
    type: 'EDS',
    edsClusterConfig: {
      edsConfig: { ads: {}, initialFetchTimeout: '0s', resourceApiVersion: 'V3' },
      serviceName: 'outbound|9080||reviews.default.svc.cluster.local',
    },
    connectTimeout: '10s',
    lbPolicy: 'LEAST_REQUEST',
    circuitBreakers: {
      thresholds: [
        { maxConnections: 4294967295, maxPendingRequests: 4294967295, maxRequests: 4294967295, maxRetries: 4294967295, trackRemaining: true },
      ],
    },
    outlierDetection: { consecutive5xx: 5, interval: '0.100s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
    perConnectionBufferLimitBytes: 32768,
    commonLbConfig: { healthyPanicThreshold: { value: 50.5 } },
    typedExtensionProtocolOptions: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        commonHttpProtocolOptions: { idleTimeout: '3600s' },
        explicitHttpConfig: { http2ProtocolOptions: { maxConcurrentStreams: 1073741824 } },
      },
    },
    metadata: {
      filterMetadata: {
        istio: { services: [{ host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default' }], weight: 1.5, on: true, none: null },
      },
    },
  };
}

export function listener(): Record<string, unknown> {
  return {
    name: '0.0.0.0_9080',
    address: { socketAddress: { address: '0.0.0.0', portValue: 9080 } },
    filterChains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typedConfig: {
              '@type': HCM_URL,
              statPrefix: 'outbound_0.0.0.0_9080',
              rds: { configSource: { ads: {}, initialFetchTimeout: '0s', resourceApiVersion: 'V3' }, routeConfigName: '9080' },
              httpFilters: [
                { name: 'envoy.filters.http.fault', typedConfig: { '@type': FAULT_URL } },
                { name: 'envoy.filters.http.router', typedConfig: { '@type': ROUTER_URL, startChildSpan: true } },
              ],
              streamIdleTimeout: '0s',
              useRemoteAddress: false,
              normalizePath: true,
              upgradeConfigs: [{ upgradeType: 'websocket' }],
            },
          },
        ],
      },
    ],
    listenerFilters: [
      {
        name: 'envoy.filters.listener.tls_inspector',
        typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' },
      },
    ],
    listenerFiltersTimeout: '0s',
    continueOnListenerFiltersTimeout: true,
    trafficDirection: 'OUTBOUND',
  };
}

export function routeConfiguration(): Record<string, unknown> {
  return {
    name: '9080',
    virtualHosts: [
      {
        name: 'reviews.default.svc.cluster.local:9080',
        domains: ['reviews.default.svc.cluster.local', 'reviews'],
        routes: [
          {
            match: {
              safeRegex: { regex: '/api/v[0-9]+/.*' },
              headers: [{ name: 'end-user', stringMatch: { exact: 'jason' } }],
            },
            route: {
              weightedClusters: {
                clusters: [
                  { name: 'outbound|9080|v1|reviews.default.svc.cluster.local', weight: 90 },
                  { name: 'outbound|9080|v2|reviews.default.svc.cluster.local', weight: 10 },
                ],
              },
              timeout: '0s',
              retryPolicy: {
                retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
                numRetries: 2,
                perTryTimeout: '2.500s',
                hostSelectionRetryMaxAttempts: '5',
                retriableStatusCodes: [503],
              },
              maxStreamDuration: { maxStreamDuration: '0s', grpcTimeoutHeaderMax: '0s' },
            },
            name: 'reviews-v1-v2',
            typedPerFilterConfig: {
              'envoy.filters.http.fault': {
                '@type': FAULT_URL,
                delay: { fixedDelay: '5s', percentage: { numerator: 100 } },
                abort: { httpStatus: 503, percentage: { numerator: 10, denominator: 'TEN_THOUSAND' } },
              },
            },
          },
          {
            match: { prefix: '/' },
            route: { cluster: 'outbound|9080||reviews.default.svc.cluster.local', timeout: '0.000001s' },
          },
        ],
        includeRequestAttemptCount: true,
      },
    ],
    validateClusters: false,
  };
}

export function clusterLoadAssignment(): Record<string, unknown> {
  const lbEndpoint = (ip: string) => ({
    endpoint: { address: { socketAddress: { address: ip, portValue: 9080 } } },
    healthStatus: 'HEALTHY',
    loadBalancingWeight: 1,
  });
  return {
    clusterName: 'outbound|9080||reviews.default.svc.cluster.local',
    endpoints: [
      { locality: { region: 'us-east1', zone: 'us-east1-b' }, lbEndpoints: [lbEndpoint('10.0.0.1'), lbEndpoint('10.0.0.2')], loadBalancingWeight: 2 },
      { locality: { region: 'us-west1' }, lbEndpoints: [lbEndpoint('10.1.0.1')], loadBalancingWeight: 1, priority: 1 },
    ],
    policy: { overprovisioningFactor: 140 },
  };
}
