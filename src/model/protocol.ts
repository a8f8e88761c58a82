// Port protocol inference, as Istio's kube.ConvertProtocol: UDP by transport, else the
// appProtocol, else the port name's prefix before the first '-' ("http-foo" → HTTP).
import type { Protocol } from './service.js';

const BY_NAME: Readonly<Record<string, Protocol>> = {
  http: 'HTTP',
  http2: 'HTTP2',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  https: 'HTTPS',
  tls: 'TLS',
  tcp: 'TCP',
  mongo: 'MONGO',
  redis: 'REDIS',
  mysql: 'MYSQL',
  udp: 'UDP',
};

/** Kubernetes' standard appProtocol names (KEP-3726). */
const KUBE_APP_PROTOCOLS: Readonly<Record<string, Protocol>> = {
  'kubernetes.io/h2c': 'HTTP2',
  'kubernetes.io/ws': 'HTTP',
  'kubernetes.io/wss': 'HTTPS',
};

/** An Istio protocol name ("HTTP", "grpc", "GRPC-Web"...), case-insensitive; undefined if unknown. */
export function parseProtocol(name: string): Protocol | undefined {
  return BY_NAME[name.toLowerCase()];
}

/**
 * Protocol of a Kubernetes service port. Unnamed ports and unknown prefixes are TCP here:
 * Istio marks them UNSUPPORTED and sniffs the protocol at the proxy (so outbound HTTP is
 * still detected as HTTP); we do no sniffing, and TCP proxying is the choice that never
 * breaks a non-HTTP protocol.
 */
export function inferPortProtocol(port: { name?: string; protocol?: string; appProtocol?: string }): Protocol {
  if (port.protocol === 'UDP') return 'UDP';
  let name = port.name ?? '';
  if (port.appProtocol) {
    const kube = KUBE_APP_PROTOCOLS[port.appProtocol];
    if (kube) return kube;
    name = port.appProtocol;
  }
  // "grpc-web" contains the separator, so it is checked before cutting at '-'.
  if (name.toLowerCase().startsWith('grpc-web')) return 'GRPC-Web';
  const dash = name.indexOf('-');
  return parseProtocol(dash >= 0 ? name.slice(0, dash) : name) ?? 'TCP';
}

/** Protocol of a ServiceEntry port: its `protocol` field; absent or unknown → TCP, as above. */
export function serviceEntryProtocol(protocol: string | undefined): Protocol {
  return (protocol && parseProtocol(protocol)) || 'TCP';
}
