// What a proxyless gRPC client can be sent without breaking it, by client and release, as
// Istio gates features on the proxy's version. A control plane must never crash a client:
// gRPC C-core before 1.52 (Python, C++, Ruby, PHP, C# wrap it) segfaults as soon as it gets
// a RING_HASH cluster (grpc/grpc#31766), so those clients get ROUND_ROBIN instead, without
// the route hash policy, and the rule gets a warning saying why.
//
// What clients send (node.user_agent_name / user_agent_version, probed):
//   grpc-js-xds:          "gRPC Node Pure JS"          / "1.14.1" (the grpc-js-xds release)
//   Python on C-core:     "gRPC C-core linux Python"   / "C-core 29.0.0 Python 1.51.1"
// C-core's version string is "C-core <core version>" plus the wrapper's own name and release;
// the core version is an ABI number, not the gRPC release (1.51.1 reports core 29.0.0).
import type { TrafficPolicy } from '../model/istio-types.js';
import type { TranslateWarning } from './api.js';
import type { TranslateContext } from './context.js';
import { objectRef } from './context.js';
import { destinationRuleFor, type DestinationRule } from './destination-rule.js';
import { parseClusterName } from './names.js';
import type { Proxy } from './proxy.js';

/** The first gRPC release whose C-core ring hash does not crash (grpc/grpc#31766). */
export const RING_HASH_FIXED_RELEASE: readonly number[] = [1, 52, 0];
/**
 * The first C-core core version known to be ≥ 1.52. 1.51 reports core 29 and 1.52 may too,
 * so a bare core version below 30 is treated as affected: a 1.52 client then gets round
 * robin needlessly, which is safe; the opposite mistake crashes it.
 */
const RING_HASH_FIXED_CORE_MAJOR = 30;

/** Wrappers of C-core name themselves in user_agent_name; grpc-js, Java and Go do not. */
const C_CORE_NAME = /c-core|python|c\+\+|ruby|php|c#|objective-c/i;
const PURE_JS_NAME = /node|grpc-js|\bjs\b/i;

export function isCCoreClient(name: string): boolean {
  return C_CORE_NAME.test(name) && !PURE_JS_NAME.test(name);
}

const VERSION = /(\d+)\.(\d+)(?:\.(\d+))?/;

function numbers(s: string): number[] | undefined {
  const m = VERSION.exec(s);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** Numeric comparison of MAJOR.MINOR.PATCH; anything after the numbers is ignored. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether a C-core version string is a release before 1.52: the wrapper's release when
 * given ("C-core 29.0.0 Python 1.51.1" → 1.51.1), else a plain release ("1.51.1"), else
 * the core version alone ("C-core 29.0.0"); undefined when nothing parses.
 */
function cCoreBefore152(version: string): boolean | undefined {
  const tokens = version.trim().split(/\s+/);
  let core: number[] | undefined;
  let release: number[] | undefined;
  tokens.forEach((t, i) => {
    const n = numbers(t);
    if (!n) return;
    if (tokens[i - 1]?.toLowerCase() === 'c-core') core = n;
    else release = n;
  });
  if (release) return compareVersions(release, RING_HASH_FIXED_RELEASE) < 0;
  if (core) return (core[0] ?? 0) < RING_HASH_FIXED_CORE_MAJOR;
  return undefined;
}

/**
 * Whether RING_HASH is safe to send to `proxy`. False only for C-core clients known to be
 * before 1.52; any other or unknown client (Envoy, grpc-js, Java, Go, no user agent) is
 * trusted, since the gate costs affinity and we only pay that for a known crash.
 */
export function supportsRingHash(proxy: Proxy): boolean {
  const ua = proxy.userAgent;
  if (!ua || !isCCoreClient(ua.name)) return true;
  return cCoreBefore152(ua.version) !== true;
}

/** A gRPC proxy that must get ROUND_ROBIN where a rule asks for a consistent hash. */
export function needsRingHashFallback(proxy: Proxy): boolean {
  return proxy.kind === 'grpc' && !supportsRingHash(proxy);
}

/**
 * The path of the consistentHash that governs cluster `outbound|port|subset|host` in `dr`,
 * in dr-merge.ts's precedence: subset port level, subset, rule port level, rule.
 */
function consistentHashPath(dr: DestinationRule, port: number, subset: string): string {
  const spec = dr.spec;
  const si = subset === '' ? -1 : (spec.subsets ?? []).findIndex((s) => s.name === subset);
  const levels: { path: string; policy: TrafficPolicy | undefined }[] = [
    { path: `spec.subsets[${si}].trafficPolicy`, policy: si >= 0 ? spec.subsets?.[si]?.trafficPolicy : undefined },
    { path: 'spec.trafficPolicy', policy: spec.trafficPolicy },
  ];
  for (const { path, policy } of levels) {
    const pi = (policy?.portLevelSettings ?? []).findIndex((p) => p.port?.number === port);
    if (pi >= 0 && policy?.portLevelSettings?.[pi]?.loadBalancer?.consistentHash) return `${path}.portLevelSettings[${pi}].loadBalancer.consistentHash`;
    // A matching port level replaces the whole loadBalancer (dr-merge.ts): no fall-through.
    if (pi >= 0 && policy?.portLevelSettings?.[pi]?.loadBalancer) continue;
    if (policy?.loadBalancer?.consistentHash) return `${path}.loadBalancer.consistentHash`;
  }
  return 'spec.trafficPolicy.loadBalancer.consistentHash';
}

/** The warning for sending ROUND_ROBIN instead of RING_HASH on `clusterName`. */
export function ringHashFallbackWarning(ctx: TranslateContext, clusterName: string): TranslateWarning {
  const parsed = parseClusterName(clusterName);
  const dr = parsed ? destinationRuleFor(ctx, parsed.host) : undefined;
  const why = `gRPC C-core < 1.52 crashes on RING_HASH (grpc/grpc#31766): sending ROUND_ROBIN to ${ctx.proxy.id}`;
  if (!dr || !parsed) return { object: `Cluster ${clusterName}`, field: 'lbPolicy', message: why };
  return { object: objectRef(dr), field: consistentHashPath(dr, parsed.port, parsed.subset), message: why };
}
