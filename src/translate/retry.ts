// VirtualService retries → Envoy RetryPolicy, with Istio's defaults: a route without
// `retries` still retries twice on connection-level failures, preferring other hosts.
import type { HTTPRetry } from '../model/istio-types.js';
import type { RetryPolicy } from './envoy-types.js';
import { PREVIOUS_HOSTS_TYPE } from './envoy-types.js';
import { toProtoDuration } from './duration.js';

export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';
const DEFAULT_ATTEMPTS = 2;
const HOST_SELECTION_MAX_ATTEMPTS = '5';

/**
 * Istio's default policy. It lists `retriable-status-codes` but no codes: Istio stopped
 * retrying 503 by default (EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY, default true).
 */
export function defaultRetryPolicy(): RetryPolicy {
  return {
    retryOn: DEFAULT_RETRY_ON,
    numRetries: DEFAULT_ATTEMPTS,
    retryHostPredicate: [
      { name: 'envoy.retry_host_predicates.previous_hosts', typedConfig: { '@type': PREVIOUS_HOSTS_TYPE } },
    ],
    hostSelectionRetryMaxAttempts: HOST_SELECTION_MAX_ATTEMPTS,
  };
}

/** HTTP status codes as Go's http.StatusText knows them (what Istio accepts as codes). */
function isHttpStatus(n: number): boolean {
  return (n >= 100 && n <= 103) || (n >= 200 && n <= 208) || n === 226 || (n >= 300 && n <= 308 && n !== 306) ||
    (n >= 400 && n <= 418) || (n >= 421 && n <= 426) || n === 428 || n === 429 || n === 431 || n === 451 ||
    (n >= 500 && n <= 508) || n === 510 || n === 511;
}

/** Splits `retryOn`: integers that are HTTP status codes become retriable_status_codes. */
export function parseRetryOn(text: string): { retryOn: string; codes: number[] } {
  const policies: string[] = [];
  const codes: number[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const n = /^[0-9]+$/.test(part) ? Number(part) : NaN;
    if (isHttpStatus(n)) codes.push(n);
    else policies.push(part);
  }
  let retryOn = policies.join(',');
  if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) {
    retryOn = retryOn === '' ? 'retriable-status-codes' : `${retryOn},retriable-status-codes`;
  }
  return { retryOn, codes };
}

/**
 * Istio's ConvertPolicy: undefined → default policy; attempts 0 → no retries at all;
 * otherwise the default with the user's attempts, retryOn and perTryTimeout.
 * `badDuration` is told about an unparseable perTryTimeout (which is then left out).
 * Fields are set in proto declaration order, so goldens read like Envoy's config_dump.
 */
export function convertRetry(retries: HTTPRetry | undefined, badDuration?: (field: string) => void): RetryPolicy | undefined {
  const def = defaultRetryPolicy();
  if (!retries) return def;
  if (!retries.attempts || retries.attempts <= 0) return undefined;
  let retryOn = def.retryOn;
  let codes: number[] = [];
  if (retries.retryOn) {
    const parsed = parseRetryOn(retries.retryOn);
    // An all-blank retryOn (" , ") keeps the default conditions rather than none.
    if (parsed.retryOn !== '') retryOn = parsed.retryOn;
    codes = parsed.codes;
  }
  let perTryTimeout: string | undefined;
  if (retries.perTryTimeout !== undefined) {
    perTryTimeout = toProtoDuration(retries.perTryTimeout);
    if (perTryTimeout === undefined) badDuration?.('perTryTimeout');
  }
  const out = { retryOn, numRetries: retries.attempts } as RetryPolicy;
  if (perTryTimeout !== undefined) out.perTryTimeout = perTryTimeout;
  out.retryHostPredicate = def.retryHostPredicate;
  out.hostSelectionRetryMaxAttempts = HOST_SELECTION_MAX_ATTEMPTS;
  if (codes.length > 0) out.retriableStatusCodes = codes;
  return out;
}
