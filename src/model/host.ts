// Host name resolution as Istio's ResolveShortnameToFQDN: a name without a dot is a
// Kubernetes short name in the referring object's namespace; anything with a dot, an IP,
// or `*` is taken as written.
import { DOMAIN_SUFFIX } from './service.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * `reviews` in namespace `default` → `reviews.default.svc.cluster.local`.
 * `reviews.other` is NOT expanded: Istio reads any dotted name as fully qualified, and
 * expanding it would turn external hosts such as `example.com` into cluster names.
 */
export function resolveHost(host: string, namespace: string): string {
  if (host === '' || host === '*' || host.includes('.') || host.includes(':') || IPV4.test(host)) return host;
  return `${host}.${namespace}.svc.${DOMAIN_SUFFIX}`;
}
