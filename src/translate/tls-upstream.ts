// tls → the cluster's transport_socket (envoy.transport_sockets.tls, UpstreamTlsContext).
// Istio hands certificates to Envoy over SDS (its agent serves files and the mesh CA's
// certificates as SDS secrets). We have neither an agent nor a CA yet, so certificates are
// FILE DataSources that Envoy reads itself:
//   SIMPLE        trust caCertificates (else the system bundle, Istio's "system" default),
//                 verify subjectAltNames; nothing when insecureSkipVerify.
//   MUTUAL        SIMPLE + clientCertificate / privateKey as the client's certificate.
//   ISTIO_MUTUAL  Istio's well-known workload files /etc/certs/{cert-chain,key,root-cert}.pem,
//                 SNI defaulting to the cluster name, ALPN istio-peer-exchange + istio
//                 (+ h2 for HTTP/2 clusters), as Istio's buildUpstreamTLSContext.
// SANs holding a scheme (spiffe://...) are URI SANs, the rest DNS names.
import type { ClientTLSSettings } from '../model/istio-types.js';
import type { FileDataSource, SubjectAltNameMatcher, TransportSocket, UpstreamTlsContext } from './cluster-envoy-types.js';
import { TLS_TRANSPORT_SOCKET, UPSTREAM_TLS_CONTEXT_URL } from './cluster-envoy-types.js';

/** Where Istio's (pre-SDS) sidecars found the workload certificate, key and mesh root. */
export const ISTIO_CERT_CHAIN = '/etc/certs/cert-chain.pem';
export const ISTIO_KEY = '/etc/certs/key.pem';
export const ISTIO_ROOT_CERT = '/etc/certs/root-cert.pem';
/** The system trust bundle of Istio's proxy image, for SIMPLE/MUTUAL without caCertificates. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const ALPN_IN_MESH = ['istio-peer-exchange', 'istio'];
const ALPN_H2 = ['h2'];

function file(filename: string): FileDataSource {
  return { filename };
}

export function sanMatchers(sans: readonly string[] | undefined): SubjectAltNameMatcher[] | undefined {
  if (!sans || sans.length === 0) return undefined;
  return sans.map((s) => ({ sanType: s.includes('://') ? 'URI' : 'DNS', matcher: { exact: s } }));
}

function validation(tls: ClientTLSSettings, trustedCa: string): UpstreamTlsContext['commonTlsContext']['validationContext'] {
  const v: NonNullable<UpstreamTlsContext['commonTlsContext']['validationContext']> = { trustedCa: file(trustedCa) };
  const sans = sanMatchers(tls.subjectAltNames);
  if (sans) v.matchTypedSubjectAltNames = sans;
  if (tls.caCrl) v.crl = file(tls.caCrl);
  return v;
}

function socket(ctx: UpstreamTlsContext): TransportSocket {
  return { name: TLS_TRANSPORT_SOCKET, typedConfig: ctx };
}

/**
 * The transport socket for `tls` on cluster `clusterName`, or undefined for plaintext
 * (no tls, or DISABLE). `http2` adds the ALPN an HTTP/2 upstream needs.
 */
export function upstreamTransportSocket(tls: ClientTLSSettings | undefined, clusterName: string, http2: boolean): TransportSocket | undefined {
  const mode = tls?.mode ?? 'DISABLE';
  if (!tls || mode === 'DISABLE') return undefined;
  const ctx: UpstreamTlsContext = { '@type': UPSTREAM_TLS_CONTEXT_URL, commonTlsContext: {} };
  const common = ctx.commonTlsContext;
  if (mode === 'ISTIO_MUTUAL') {
    common.tlsCertificates = [{ certificateChain: file(ISTIO_CERT_CHAIN), privateKey: file(ISTIO_KEY) }];
    common.validationContext = validation(tls, ISTIO_ROOT_CERT);
    common.alpnProtocols = http2 ? [...ALPN_IN_MESH, ...ALPN_H2] : [...ALPN_IN_MESH];
    ctx.sni = tls.sni || clusterName;
    return socket(ctx);
  }
  if (mode === 'MUTUAL' && tls.clientCertificate && tls.privateKey) {
    common.tlsCertificates = [{ certificateChain: file(tls.clientCertificate), privateKey: file(tls.privateKey) }];
  }
  if (!tls.insecureSkipVerify) common.validationContext = validation(tls, tls.caCertificates || SYSTEM_CA_BUNDLE);
  if (http2) common.alpnProtocols = [...ALPN_H2];
  if (tls.sni) ctx.sni = tls.sni;
  return socket(ctx);
}
