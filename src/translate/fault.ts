// VirtualService fault injection → per-route config of envoy.filters.http.fault.
// Percentages are parts per million (Istio's Percent is a double in 0..100).
import type { HTTPFaultInjection, Percent } from '../model/istio-types.js';
import { toProtoDuration } from './duration.js';
import type { FractionalPercent, HTTPFault } from './envoy-types.js';
import { HTTP_FAULT_TYPE } from './envoy-types.js';

/** gRPC status names (google.rpc.Code) as Istio accepts them in abort.grpcStatus. */
export const GRPC_STATUS: Readonly<Record<string, number>> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/**
 * Istio: `percentage` if given, else the deprecated integer `percent` (0 when unset, so a
 * fault with neither never fires; Istio behaves the same). A zero numerator is the proto
 * default and is not printed.
 */
export function fractionalPercent(percentage: Percent | undefined, percent: number | undefined): FractionalPercent {
  const value = percentage ? percentage.value : (percent ?? 0);
  const numerator = Math.round(Math.min(100, Math.max(0, value)) * 10000);
  return numerator === 0 ? { denominator: 'MILLION' } : { numerator, denominator: 'MILLION' };
}

export interface FaultProblem {
  field: string;
  message: string;
}

/**
 * The HTTPFault for a route, or undefined when nothing translatable is left. Parts that
 * cannot be expressed (exponential delay, http2Error, unknown gRPC status) are reported
 * through `problems` and dropped.
 */
export function convertFault(fault: HTTPFaultInjection | undefined, problems: FaultProblem[]): HTTPFault | undefined {
  if (!fault) return undefined;
  const out: HTTPFault = { '@type': HTTP_FAULT_TYPE };
  const d = fault.delay;
  if (d) {
    const fixed = d.fixedDelay !== undefined ? toProtoDuration(d.fixedDelay) : undefined;
    if (fixed === '0s') problems.push({ field: 'fault.delay.fixedDelay', message: 'a zero delay is rejected by Envoy; delay dropped' });
    else if (fixed !== undefined) out.delay = { fixedDelay: fixed, percentage: fractionalPercent(d.percentage, d.percent) };
    else if (d.exponentialDelay !== undefined) problems.push({ field: 'fault.delay.exponentialDelay', message: 'exponential delays are not supported (Istio does not support them either); delay dropped' });
    else problems.push({ field: 'fault.delay.fixedDelay', message: 'missing or unparseable fixedDelay; delay dropped' });
  }
  const a = fault.abort;
  if (a) {
    const percentage = fractionalPercent(a.percentage, undefined);
    if (a.httpStatus !== undefined) {
      // Envoy's validation: 200 <= http_status < 600.
      if (a.httpStatus >= 200 && a.httpStatus < 600) out.abort = { httpStatus: a.httpStatus, percentage };
      else problems.push({ field: 'fault.abort.httpStatus', message: `HTTP status ${a.httpStatus} is outside Envoy's range 200..599; abort dropped` });
    } else if (a.grpcStatus !== undefined) {
      const code = GRPC_STATUS[a.grpcStatus.toUpperCase()] ?? (/^[0-9]+$/.test(a.grpcStatus) ? Number(a.grpcStatus) : undefined);
      if (code !== undefined && code <= 16) out.abort = { grpcStatus: code, percentage };
      else problems.push({ field: 'fault.abort.grpcStatus', message: `unknown gRPC status "${a.grpcStatus}"; abort dropped` });
    } else if (a.http2Error !== undefined) {
      problems.push({ field: 'fault.abort.http2Error', message: 'http2Error aborts are not supported; abort dropped' });
    }
  }
  return out.delay || out.abort ? out : undefined;
}
