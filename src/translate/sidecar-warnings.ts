// What a Sidecar asks for that we do not translate yet. Each field is named once (the
// translator's warnings are deduplicated), so a user never wonders why it had no effect.
import type { ConfigObject } from '../model/config.js';
import type { TranslateWarning } from './api.js';

export function sidecarWarnings(sc: ConfigObject<'Sidecar'>): TranslateWarning[] {
  const object = `Sidecar ${sc.metadata.namespace}/${sc.metadata.name}`;
  const out: TranslateWarning[] = [];
  const warn = (field: string, message: string): void => {
    out.push({ object, field, message });
  };
  sc.spec.egress?.forEach((e, i) => {
    if (e.bind !== undefined) warn(`spec.egress[${i}].bind`, 'bind is not supported yet: listeners stay on 0.0.0.0 (ignored)');
    if (e.captureMode !== undefined) warn(`spec.egress[${i}].captureMode`, 'captureMode is not supported yet: traffic is assumed captured by iptables (ignored)');
    const proto = e.port?.protocol;
    if (proto !== undefined && proto.toUpperCase() === 'HTTP_PROXY') {
      warn(`spec.egress[${i}].port.protocol`, 'HTTP_PROXY egress listeners are not supported yet: treated as a plain port filter');
    } else if (proto !== undefined) {
      warn(`spec.egress[${i}].port.protocol`, `not used: listeners take each service port's protocol; the egress port only selects which service ports are imported`);
    }
  });
  sc.spec.ingress?.forEach((l, i) => {
    if (l.bind !== undefined) warn(`spec.ingress[${i}].bind`, 'bind is not supported yet: the port is served on virtualInbound (0.0.0.0:15006) (ignored)');
    if (l.captureMode !== undefined) warn(`spec.ingress[${i}].captureMode`, 'captureMode is not supported yet (ignored)');
    if (l.tls !== undefined) warn(`spec.ingress[${i}].tls`, 'inbound TLS termination is not supported yet (ignored)');
    if (l.connectionPool !== undefined) warn(`spec.ingress[${i}].connectionPool`, 'inbound connection pools are not translated yet (ignored)');
    if (l.defaultEndpoint?.startsWith('unix://')) {
      warn(`spec.ingress[${i}].defaultEndpoint`, 'Unix domain socket endpoints are not supported yet: the port gets no inbound filter chain');
    }
  });
  if (sc.spec.inboundConnectionPool !== undefined) {
    warn('spec.inboundConnectionPool', 'inbound connection pools are not translated yet (ignored)');
  }
  if (sc.spec.outboundTrafficPolicy?.egressProxy !== undefined) {
    warn('spec.outboundTrafficPolicy.egressProxy', 'egressProxy is not supported yet: unknown destinations follow the mode only');
  }
  return out;
}
