// outlierDetection → the cluster's outlier_detection, as Istio's applyOutlierDetection:
// success-rate ejection off (enforcingSuccessRate 0); consecutive5xxErrors and
// consecutiveGatewayErrors with enforcement 100 % when > 0 (0 disables them); interval,
// baseEjectionTime, maxEjectionPercent as given; local-origin splitting; and
// minHealthPercent → commonLbConfig.healthyPanicThreshold, always written (0 when unset:
// Istio turns Envoy's 50 % panic mode off, as it rarely suits a few pods per service).
//
// Proxyless gRPC (gRFC A50) implements only success-rate and failure-percentage ejection,
// never consecutive-error counting. So that "eject a host that keeps failing" still means
// something there, a gRPC cluster gets failure-percentage ejection instead: a host that
// served at least N calls in one interval (N = the consecutive error count) and failed
// more than half of them is ejected. A documented approximation, warned about per rule.
import type { OutlierDetection } from '../model/istio-types.js';
import type { ClusterV3, OutlierDetectionV3 } from './cluster-envoy-types.js';
import { toProtoDuration } from './duration.js';

/** Failure percentage above which gRPC ejects a host (strictly greater, as gRPC compares). */
export const GRPC_FAILURE_PERCENTAGE_THRESHOLD = 50;

function timing(od: OutlierDetection, out: OutlierDetectionV3): void {
  const interval = od.interval !== undefined ? toProtoDuration(od.interval) : undefined;
  if (interval) out.interval = interval;
  const base = od.baseEjectionTime !== undefined ? toProtoDuration(od.baseEjectionTime) : undefined;
  if (base) out.baseEjectionTime = base;
  if (od.maxEjectionPercent && od.maxEjectionPercent > 0) out.maxEjectionPercent = Math.min(100, od.maxEjectionPercent);
}

/**
 * The consecutive-error counts in force. The deprecated consecutiveErrors counted only
 * gateway errors (502/503/504) since Istio 1.5; the newer fields override it.
 */
function errorCounts(od: OutlierDetection): { fiveXx?: number; gateway?: number } {
  const out: { fiveXx?: number; gateway?: number } = {};
  if (od.consecutiveErrors !== undefined && od.consecutiveErrors > 0) out.gateway = od.consecutiveErrors;
  if (od.consecutive5xxErrors !== undefined) out.fiveXx = od.consecutive5xxErrors;
  if (od.consecutiveGatewayErrors !== undefined) out.gateway = od.consecutiveGatewayErrors;
  return out;
}

function envoyOutlier(od: OutlierDetection): OutlierDetectionV3 {
  const out: OutlierDetectionV3 = { enforcingSuccessRate: 0 };
  const { fiveXx, gateway } = errorCounts(od);
  if (fiveXx !== undefined) {
    out.consecutive5xx = fiveXx;
    out.enforcingConsecutive5xx = fiveXx > 0 ? 100 : 0;
  }
  if (gateway !== undefined) {
    out.consecutiveGatewayFailure = gateway;
    out.enforcingConsecutiveGatewayFailure = gateway > 0 ? 100 : 0;
  }
  timing(od, out);
  if (od.splitExternalLocalOriginErrors) {
    out.splitExternalLocalOriginErrors = true;
    if (od.consecutiveLocalOriginFailures && od.consecutiveLocalOriginFailures > 0) {
      out.consecutiveLocalOriginFailure = od.consecutiveLocalOriginFailures;
      out.enforcingConsecutiveLocalOriginFailure = 100;
    }
    out.enforcingLocalOriginSuccessRate = 0;
  }
  return out;
}

function grpcOutlier(od: OutlierDetection): OutlierDetectionV3 {
  const out: OutlierDetectionV3 = { enforcingSuccessRate: 0 };
  const { fiveXx, gateway } = errorCounts(od);
  const counts = [fiveXx, gateway].filter((n): n is number => n !== undefined && n > 0);
  if (counts.length > 0) {
    out.enforcingFailurePercentage = 100;
    out.failurePercentageThreshold = GRPC_FAILURE_PERCENTAGE_THRESHOLD;
    out.failurePercentageMinimumHosts = 1;
    out.failurePercentageRequestVolume = Math.min(...counts);
  }
  timing(od, out);
  return out;
}

/**
 * Sets outlier_detection (and the panic threshold) on `cluster`. A gRPC cluster always gets
 * one, disabled ({enforcingSuccessRate: 0}) when no rule asks: grpc-js-xds 1.14 compares a
 * cluster update with the cached one only over the OLD value's keys, so outlier detection
 * added to a cluster that had none would be dropped as "unchanged" (and never apply).
 */
export function applyOutlierDetection(cluster: ClusterV3, od: OutlierDetection | undefined, grpc: boolean): void {
  if (grpc) {
    cluster.outlierDetection = od ? grpcOutlier(od) : { enforcingSuccessRate: 0 };
    return;
  }
  if (!od) return;
  cluster.outlierDetection = envoyOutlier(od);
  const min = od.minHealthPercent !== undefined && od.minHealthPercent > 0 ? od.minHealthPercent : 0;
  cluster.commonLbConfig = { ...cluster.commonLbConfig, healthyPanicThreshold: min > 0 ? { value: min } : {} };
}
