// VirtualService corsPolicy → per-route config of envoy.filters.http.cors (CorsPolicy),
// as Istio writes it: origins as string matchers, lists joined with ",", maxAge in whole
// seconds, the filter enabled for 100 % of requests.
import type { CorsPolicy as IstioCors, StringMatch } from '../model/istio-types.js';
import { durationNanos } from './duration.js';
import type { StringMatcher } from './envoy-types.js';
import type { CorsPolicy } from './route-types.js';
import { CORS_POLICY_TYPE } from './route-types.js';

function originMatcher(m: StringMatch): StringMatcher {
  if ('exact' in m) return { exact: m.exact };
  if ('prefix' in m) return { prefix: m.prefix };
  return { safeRegex: { regex: m.regex } };
}

export function corsPolicy(c: IstioCors | undefined): CorsPolicy | undefined {
  if (!c) return undefined;
  const out: CorsPolicy = { '@type': CORS_POLICY_TYPE, filterEnabled: { defaultValue: { numerator: 100, denominator: 'HUNDRED' } } };
  // allowOrigin (deprecated) entries are exact origins (Envoy reads an exact "*" as any origin).
  const origins: StringMatcher[] = [
    ...(c.allowOrigins ?? []).map(originMatcher),
    ...(c.allowOrigin ?? []).map((o): StringMatcher => ({ exact: o })),
  ];
  if (origins.length > 0) out.allowOriginStringMatch = origins;
  if (c.allowMethods?.length) out.allowMethods = c.allowMethods.join(',');
  if (c.allowHeaders?.length) out.allowHeaders = c.allowHeaders.join(',');
  if (c.exposeHeaders?.length) out.exposeHeaders = c.exposeHeaders.join(',');
  if (c.maxAge !== undefined) {
    const n = durationNanos(c.maxAge);
    if (n !== undefined) out.maxAge = String(n / 1_000_000_000n);
  }
  if (c.allowCredentials !== undefined) out.allowCredentials = c.allowCredentials;
  // Istio: unmatched preflights are forwarded unless the policy says IGNORE.
  out.forwardNotMatchingPreflights = c.unmatchedPreflights !== 'IGNORE';
  return out;
}
